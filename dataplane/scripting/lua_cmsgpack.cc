// The `cmsgpack` library Redis exposes to scripts (MessagePack):
//   cmsgpack.pack(v1, ...) -> the values' encodings concatenated;
//   cmsgpack.unpack(s) -> every value in s; cmsgpack.unpack_one(s [, offset]) -> next offset
//   (-1 at the end), value; cmsgpack.unpack_limit(s, limit [, offset]) -> next offset, values.
// Encoding as Redis's lua_cmsgpack: integers in the smallest int/uint form, other numbers as
// float32 when exact else float64, strings as str (fixstr, str8, str16, str32), tables with keys
// 1..n as arrays and others as maps, tables nested deeper than 16 as nil, other types as nil.
// Decoding accepts every MessagePack type but ext; bin decodes to a string.
// Lua errors longjmp: these functions hold no C++ object with a destructor.
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "dataplane/scripting/lua_internal.h"

namespace cairn::scripting {
namespace {

constexpr int kMaxNesting = 16;

// Each value's encoding is pushed as a Lua string and joined with lua_concat; a header fits in
// this small buffer.
struct Bytes {
  char data[9];
  size_t len = 0;
  void Add(char c) { data[len++] = c; }
  void Push(lua_State* lua) const { lua_pushlstring(lua, data, len); }
};

void PutBigEndian(Bytes* b, uint8_t tag, uint64_t value, int bytes) {
  b->Add(static_cast<char>(tag));
  for (int i = bytes - 1; i >= 0; i--) {
    b->Add(static_cast<char>((value >> (8 * i)) & 0xff));
  }
}

void EncodeInteger(Bytes* b, int64_t n) {
  if (n >= 0) {
    if (n <= 127) {
      b->Add(static_cast<char>(n));
    } else if (n <= 0xff) {
      PutBigEndian(b, 0xcc, static_cast<uint64_t>(n), 1);
    } else if (n <= 0xffff) {
      PutBigEndian(b, 0xcd, static_cast<uint64_t>(n), 2);
    } else if (n <= 0xffffffffLL) {
      PutBigEndian(b, 0xce, static_cast<uint64_t>(n), 4);
    } else {
      PutBigEndian(b, 0xcf, static_cast<uint64_t>(n), 8);
    }
  } else if (n >= -32) {
    b->Add(static_cast<char>(static_cast<int8_t>(n)));
  } else if (n >= -128) {
    PutBigEndian(b, 0xd0, static_cast<uint8_t>(n), 1);
  } else if (n >= -32768) {
    PutBigEndian(b, 0xd1, static_cast<uint16_t>(n), 2);
  } else if (n >= INT32_MIN) {
    PutBigEndian(b, 0xd2, static_cast<uint32_t>(n), 4);
  } else {
    PutBigEndian(b, 0xd3, static_cast<uint64_t>(n), 8);
  }
}

void EncodeNumber(Bytes* b, lua_Number n) {
  if (!std::isinf(n) && !std::isnan(n) && n >= -9.2233720368547758e18 &&
      n < 9.2233720368547758e18 && static_cast<lua_Number>(static_cast<int64_t>(n)) == n) {
    EncodeInteger(b, static_cast<int64_t>(n));
    return;
  }
  auto f = static_cast<float>(n);
  if (static_cast<lua_Number>(f) == n) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    PutBigEndian(b, 0xca, bits, 4);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &n, sizeof(bits));
    PutBigEndian(b, 0xcb, bits, 8);
  }
}

// Pushes the encoding of the string at `index`.
void EncodeString(lua_State* lua, int index) {
  size_t len = 0;
  const char* s = lua_tolstring(lua, index, &len);
  Bytes b;
  if (len < 32) {
    b.Add(static_cast<char>(0xa0 | len));
  } else if (len <= 0xff) {
    PutBigEndian(&b, 0xd9, len, 1);
  } else if (len <= 0xffff) {
    PutBigEndian(&b, 0xda, len, 2);
  } else {
    PutBigEndian(&b, 0xdb, len, 4);
  }
  b.Push(lua);
  lua_pushlstring(lua, s, len);
  lua_concat(lua, 2);
}

// Array length when the table at the top has exactly the keys 1..n, else -1.
int64_t ArrayLength(lua_State* lua) {
  int64_t count = 0;
  lua_Number max = 0;
  lua_pushnil(lua);
  while (lua_next(lua, -2) != 0) {
    lua_pop(lua, 1);
    lua_Number k = lua_type(lua, -1) == LUA_TNUMBER ? lua_tonumber(lua, -1) : 0;
    if (k <= 0 || std::floor(k) != k) {
      lua_pop(lua, 1);
      return -1;
    }
    max = k > max ? k : max;
    count++;
  }
  return max == static_cast<lua_Number>(count) ? count : -1;
}

void Encode(lua_State* lua, int level);

// Joins the `pieces` strings at the top in batches, so the stack never holds many.
void Join(lua_State* lua, int* pieces) {
  if (*pieces >= 32) {
    lua_concat(lua, *pieces);
    *pieces = 1;
  }
}

// Pushes the encoding of the table at the top (left in place).
void EncodeTable(lua_State* lua, int level) {
  int table = lua_gettop(lua);
  int64_t n = ArrayLength(lua);
  bool array = n >= 0;
  int keys = 0;
  if (!array) {
    // Keys first into a list: encoding cannot run inside lua_next, which needs the key on top.
    lua_newtable(lua);
    keys = lua_gettop(lua);
    n = 0;
    lua_pushnil(lua);
    while (lua_next(lua, table) != 0) {
      lua_pop(lua, 1);
      lua_pushvalue(lua, -1);
      lua_rawseti(lua, keys, static_cast<int>(++n));
    }
  }
  Bytes header;
  if (n < 16) {
    header.Add(static_cast<char>((array ? 0x90 : 0x80) | n));
  } else if (n <= 0xffff) {
    PutBigEndian(&header, array ? 0xdc : 0xde, static_cast<uint64_t>(n), 2);
  } else {
    PutBigEndian(&header, array ? 0xdd : 0xdf, static_cast<uint64_t>(n), 4);
  }
  header.Push(lua);
  int pieces = 1;
  for (int64_t i = 1; i <= n; i++) {
    if (array) {
      lua_rawgeti(lua, table, static_cast<int>(i));
      Encode(lua, level + 1);
    } else {
      lua_rawgeti(lua, keys, static_cast<int>(i));
      lua_pushvalue(lua, -1);
      lua_rawget(lua, table);
      lua_pushvalue(lua, -2);
      Encode(lua, level + 1);  // key, value, encoded key
      lua_replace(lua, -3);
      Encode(lua, level + 1);
      lua_concat(lua, 2);
    }
    Join(lua, &++pieces);
  }
  lua_concat(lua, pieces);
  if (keys != 0) {
    lua_remove(lua, keys);
  }
}

// Replaces the value at the top of the stack by its encoding.
void Encode(lua_State* lua, int level) {
  luaL_checkstack(lua, 8, "in function cmsgpack.pack");
  int type = lua_type(lua, -1);
  if (type == LUA_TTABLE && level >= kMaxNesting) {
    type = LUA_TNIL;
  }
  Bytes b;
  switch (type) {
    case LUA_TBOOLEAN:
      b.Add(lua_toboolean(lua, -1) ? static_cast<char>(0xc3) : static_cast<char>(0xc2));
      b.Push(lua);
      break;
    case LUA_TNUMBER:
      EncodeNumber(&b, lua_tonumber(lua, -1));
      b.Push(lua);
      break;
    case LUA_TSTRING:
      EncodeString(lua, -1);
      break;
    case LUA_TTABLE:
      EncodeTable(lua, level);
      break;
    default:
      b.Add(static_cast<char>(0xc0));
      b.Push(lua);
  }
  lua_remove(lua, -2);
}

int Pack(lua_State* lua) {
  int n = lua_gettop(lua);
  if (n == 0) {
    return luaL_argerror(lua, 0, "MessagePack pack needs input.");
  }
  for (int i = 1; i <= n; i++) {
    lua_pushvalue(lua, i);
    Encode(lua, 0);
  }
  lua_concat(lua, n);
  return 1;
}

struct Cursor {
  const unsigned char* p;
  size_t left;
  int err;  // 0 ok, 1 missing bytes, 2 bad format
};

bool Need(Cursor* c, size_t n) {
  if (c->left < n) {
    c->err = 1;
    return false;
  }
  return true;
}

uint64_t ReadBig(Cursor* c, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) {
    v = (v << 8) | c->p[i];
  }
  c->p += bytes;
  c->left -= static_cast<size_t>(bytes);
  return v;
}

void Decode(lua_State* lua, Cursor* c);

void DecodeString(lua_State* lua, Cursor* c, size_t len) {
  if (!Need(c, len)) {
    return;
  }
  lua_pushlstring(lua, reinterpret_cast<const char*>(c->p), len);
  c->p += len;
  c->left -= len;
}

void DecodeArray(lua_State* lua, Cursor* c, uint64_t n) {
  luaL_checkstack(lua, 2, "in function cmsgpack.unpack");
  lua_newtable(lua);
  for (uint64_t i = 1; i <= n && c->err == 0; i++) {
    Decode(lua, c);
    if (c->err != 0) {
      return;
    }
    lua_rawseti(lua, -2, static_cast<int>(i));
  }
}

void DecodeMap(lua_State* lua, Cursor* c, uint64_t n) {
  luaL_checkstack(lua, 3, "in function cmsgpack.unpack");
  lua_newtable(lua);
  for (uint64_t i = 0; i < n && c->err == 0; i++) {
    Decode(lua, c);
    if (c->err != 0) {
      return;
    }
    Decode(lua, c);
    if (c->err != 0) {
      return;
    }
    if (lua_isnil(lua, -2)) {
      lua_pop(lua, 2);  // a nil key cannot be stored
    } else {
      lua_settable(lua, -3);
    }
  }
}

// Sized types: tag -> (payload bytes of the length or value).
void DecodeTagged(lua_State* lua, Cursor* c, unsigned char tag) {
  static const int kWidth[] = {1, 2, 4, 8};
  if (tag >= 0xcc && tag <= 0xcf) {
    int w = kWidth[tag - 0xcc];
    if (Need(c, static_cast<size_t>(w))) {
      lua_pushnumber(lua, static_cast<lua_Number>(ReadBig(c, w)));
    }
  } else if (tag >= 0xd0 && tag <= 0xd3) {
    int w = kWidth[tag - 0xd0];
    if (Need(c, static_cast<size_t>(w))) {
      uint64_t v = ReadBig(c, w);
      int shift = 64 - 8 * w;
      auto s = static_cast<int64_t>(v << shift) >> shift;
      lua_pushnumber(lua, static_cast<lua_Number>(s));
    }
  } else if (tag == 0xca && Need(c, 4)) {
    auto bits = static_cast<uint32_t>(ReadBig(c, 4));
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    lua_pushnumber(lua, f);
  } else if (tag == 0xcb && Need(c, 8)) {
    uint64_t bits = ReadBig(c, 8);
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    lua_pushnumber(lua, d);
  } else if ((tag >= 0xd9 && tag <= 0xdb) || (tag >= 0xc4 && tag <= 0xc6)) {
    int w = tag >= 0xd9 ? kWidth[tag - 0xd9] : kWidth[tag - 0xc4];
    if (Need(c, static_cast<size_t>(w))) {
      DecodeString(lua, c, ReadBig(c, w));
    }
  } else if ((tag == 0xdc || tag == 0xdd) && Need(c, tag == 0xdc ? 2 : 4)) {
    DecodeArray(lua, c, ReadBig(c, tag == 0xdc ? 2 : 4));
  } else if ((tag == 0xde || tag == 0xdf) && Need(c, tag == 0xde ? 2 : 4)) {
    DecodeMap(lua, c, ReadBig(c, tag == 0xde ? 2 : 4));
  } else if (c->err == 0) {
    c->err = 2;
  }
}

void Decode(lua_State* lua, Cursor* c) {
  if (!Need(c, 1)) {
    return;
  }
  unsigned char tag = *c->p++;
  c->left--;
  if (tag <= 0x7f) {
    lua_pushnumber(lua, tag);
  } else if (tag >= 0xe0) {
    lua_pushnumber(lua, static_cast<int8_t>(tag));
  } else if ((tag & 0xe0) == 0xa0) {
    DecodeString(lua, c, tag & 0x1f);
  } else if ((tag & 0xf0) == 0x90) {
    DecodeArray(lua, c, tag & 0x0f);
  } else if ((tag & 0xf0) == 0x80) {
    DecodeMap(lua, c, tag & 0x0f);
  } else if (tag == 0xc0) {
    lua_pushnil(lua);
  } else if (tag == 0xc2 || tag == 0xc3) {
    lua_pushboolean(lua, tag == 0xc3);
  } else {
    DecodeTagged(lua, c, tag);
  }
}

int UnpackFull(lua_State* lua, lua_Integer limit, lua_Integer offset) {
  size_t len = 0;
  const char* s = luaL_checklstring(lua, 1, &len);
  bool all = limit == 0 && offset == 0;
  if (offset < 0 || limit < 0) {
    return luaL_error(lua, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(len));
  }
  if (static_cast<size_t>(offset) > len) {
    return luaL_error(lua, "Start offset %d greater than input length %d.",
                      static_cast<int>(offset), static_cast<int>(len));
  }
  if (all) {
    limit = INT_MAX;
  }
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - static_cast<size_t>(offset),
           0};
  int count = 0;
  for (; c.left > 0 && count < limit; count++) {
    luaL_checkstack(lua, 1, "in function cmsgpack.unpack");
    Decode(lua, &c);
    if (c.err == 1) {
      return luaL_error(lua, "Missing bytes in input.");
    }
    if (c.err == 2) {
      return luaL_error(lua, "Bad data format in input.");
    }
  }
  if (!all) {
    lua_pushinteger(lua, c.left == 0 ? -1 : static_cast<lua_Integer>(len - c.left));
    lua_insert(lua, 2);
    count++;
  }
  return count;
}

int Unpack(lua_State* lua) {
  return UnpackFull(lua, 0, 0);
}

int UnpackOne(lua_State* lua) {
  lua_Integer offset = luaL_optinteger(lua, 2, 0);
  lua_settop(lua, 1);
  return UnpackFull(lua, 1, offset);
}

int UnpackLimit(lua_State* lua) {
  lua_Integer limit = luaL_checkinteger(lua, 2);
  lua_Integer offset = luaL_optinteger(lua, 3, 0);
  lua_settop(lua, 1);
  return UnpackFull(lua, limit, offset);
}

}  // namespace

int OpenCmsgpack(lua_State* lua) {
  static const luaL_Reg kFunctions[] = {{"pack", Pack},
                                        {"unpack", Unpack},
                                        {"unpack_one", UnpackOne},
                                        {"unpack_limit", UnpackLimit},
                                        {nullptr, nullptr}};
  lua_newtable(lua);
  luaL_register(lua, nullptr, kFunctions);
  lua_pushstring(lua, "lua-cmsgpack");
  lua_setfield(lua, -2, "_NAME");
  lua_pushstring(lua, "lua-cmsgpack 0.4.0");
  lua_setfield(lua, -2, "_VERSION");
  lua_pushstring(lua, "Copyright (C) 2012, Salvatore Sanfilippo");
  lua_setfield(lua, -2, "_COPYRIGHT");
  lua_pushstring(lua, "MessagePack C implementation for Lua");
  lua_setfield(lua, -2, "_DESCRIPTION");
  return 1;
}

}  // namespace cairn::scripting
