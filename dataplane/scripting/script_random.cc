// ScriptRandom (Redis's rand.c) and the math.random / math.randomseed functions scripts see.
#include "dataplane/scripting/script_random.h"

#include <cmath>

#include "dataplane/scripting/lua_internal.h"

namespace cairn::scripting {
namespace {

constexpr uint64_t kMultiplier = 0x5DEECE66DULL;
constexpr uint64_t kIncrement = 0xB;
constexpr uint64_t kMask = (1ULL << 48) - 1;

ScriptRandom* Generator(lua_State* lua) {
  return static_cast<ScriptRandom*>(lua_touserdata(lua, lua_upvalueindex(1)));
}

// math.random([m [, n]]), Lua 5.1's own function with rand() replaced (Redis's
// redis_math_random): a float in [0, 1), an integer in 1..m, or an integer in m..n.
int MathRandom(lua_State* lua) {
  lua_Number r = static_cast<lua_Number>(Generator(lua)->Next() % ScriptRandom::kMax) /
                 static_cast<lua_Number>(ScriptRandom::kMax);
  switch (lua_gettop(lua)) {
    case 0:
      lua_pushnumber(lua, r);
      break;
    case 1: {
      int upper = luaL_checkint(lua, 1);
      luaL_argcheck(lua, 1 <= upper, 1, "interval is empty");
      lua_pushnumber(lua, std::floor(r * upper) + 1);
      break;
    }
    case 2: {
      int lower = luaL_checkint(lua, 1);
      int upper = luaL_checkint(lua, 2);
      luaL_argcheck(lua, lower <= upper, 2, "interval is empty");
      lua_pushnumber(lua, std::floor(r * (upper - lower + 1)) + lower);
      break;
    }
    default:
      return luaL_error(lua, "wrong number of arguments");
  }
  return 1;
}

// math.randomseed(seed) (Redis's redis_math_randomseed).
int MathRandomSeed(lua_State* lua) {
  Generator(lua)->Seed(luaL_checkint(lua, 1));
  return 0;
}

}  // namespace

int32_t ScriptRandom::Next() {
  state_ = (kMultiplier * state_ + kIncrement) & kMask;
  return static_cast<int32_t>(state_ >> 17);
}

void ScriptRandom::Seed(int32_t seed) {
  state_ = ((static_cast<uint64_t>(static_cast<uint32_t>(seed)) << 16) | 0x330E) & kMask;
}

void InstallMathRandom(lua_State* lua, ScriptRandom* random) {
  lua_getglobal(lua, "math");
  lua_pushlightuserdata(lua, random);
  lua_pushcclosure(lua, MathRandom, 1);
  lua_setfield(lua, -2, "random");
  lua_pushlightuserdata(lua, random);
  lua_pushcclosure(lua, MathRandomSeed, 1);
  lua_setfield(lua, -2, "randomseed");
  lua_pop(lua, 1);
}

}  // namespace cairn::scripting
