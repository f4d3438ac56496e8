// Conversions between RESP replies and Lua values, as Redis 7.0 documents them:
//   RESP -> Lua (a redis.call reply): integer -> number, bulk -> string, nil bulk / nil array ->
//   false, status -> {ok=...}, error -> {err=...}, array -> table; RESP3 (after setresp(3)): null
//   -> nil, map -> {map={...}}, set -> {set={k=true}}, double -> {double=n}, boolean -> boolean,
//   big number -> {big_number=s}, verbatim -> {verbatim_string={format=f, string=s}}.
//   Lua -> RESP (a script's result): string -> bulk, number -> integer (truncated), true -> 1
//   (RESP3 scripts: boolean), false / nil -> null, {err=} -> error, {ok=} -> status, {double=},
//   {big_number=}, {verbatim_string=}, {map=}, {set=}, other tables -> array up to the first nil.
#include <charconv>
#include <cstdlib>
#include <string>

#include "dataplane/scripting/lua_internal.h"

namespace cairn::scripting {
namespace {

constexpr int kMaxDepth = 1000;

class ReplyParser {
 public:
  ReplyParser(lua_State* lua, std::string_view in) : lua_(lua), in_(in) {}

  // Pushes one value; false when the input is malformed or nested too deep.
  bool Push(int depth) {
    if (depth > kMaxDepth || pos_ >= in_.size() || !lua_checkstack(lua_, 4)) {
      return false;
    }
    char type = in_[pos_++];
    std::string_view line;
    if (!Line(&line)) {
      return false;
    }
    switch (type) {
      case ':':
        lua_pushnumber(lua_, std::strtod(std::string(line).c_str(), nullptr));
        return true;
      case '$':
      case '=':
        return Bulk(line, type == '=');
      case '+':
        PushField("ok", line);
        return true;
      case '-':
        // The command counted this error in INFO errorstats already; the flag keeps the
        // script's own error reply, if it passes this on, from counting it again (Redis 7.0).
        PushField("err", line);
        lua_pushstring(lua_, kIgnoreErrorStats);
        lua_pushboolean(lua_, 1);
        lua_rawset(lua_, -3);
        return true;
      case '*':
      case '~':
      case '%':
      case '>':
        return Aggregate(type, line, depth);
      case '_':
        lua_pushnil(lua_);
        return true;
      case ',':
        lua_newtable(lua_);
        lua_pushstring(lua_, "double");
        lua_pushnumber(lua_, std::strtod(std::string(line).c_str(), nullptr));
        lua_rawset(lua_, -3);
        return true;
      case '#':
        lua_pushboolean(lua_, line == "t" ? 1 : 0);
        return true;
      case '(':
        PushField("big_number", line);
        return true;
      default:
        return false;
    }
  }

  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  bool Line(std::string_view* line) {
    size_t end = in_.find("\r\n", pos_);
    if (end == std::string_view::npos) {
      return false;
    }
    *line = in_.substr(pos_, end - pos_);
    pos_ = end + 2;
    return true;
  }

  static bool Count(std::string_view text, int64_t* n) {
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *n);
    return ec == std::errc() && p == text.data() + text.size();
  }

  void PushField(const char* name, std::string_view value) {
    lua_newtable(lua_);
    lua_pushstring(lua_, name);
    lua_pushlstring(lua_, value.data(), value.size());
    lua_rawset(lua_, -3);
  }

  // A length header: false when malformed; -1 (a nil bulk or array) pushes false and is done.
  enum class Length { kBad, kNil, kOk };
  Length ReadLength(std::string_view header, int64_t* n) {
    if (!Count(header, n)) {
      return Length::kBad;
    }
    if (*n < 0) {
      lua_pushboolean(lua_, 0);
      return Length::kNil;
    }
    return Length::kOk;
  }

  bool Bulk(std::string_view header, bool verbatim) {
    int64_t n = 0;
    if (Length l = ReadLength(header, &n); l != Length::kOk) {
      return l == Length::kNil;
    }
    if (pos_ + static_cast<size_t>(n) + 2 > in_.size()) {
      return false;
    }
    std::string_view data = in_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n) + 2;
    if (!verbatim || data.size() < 4) {
      lua_pushlstring(lua_, data.data(), data.size());
      return true;
    }
    lua_newtable(lua_);
    lua_pushstring(lua_, "verbatim_string");
    lua_newtable(lua_);
    lua_pushstring(lua_, "format");
    lua_pushlstring(lua_, data.data(), 3);
    lua_rawset(lua_, -3);
    lua_pushstring(lua_, "string");
    lua_pushlstring(lua_, data.data() + 4, data.size() - 4);
    lua_rawset(lua_, -3);
    lua_rawset(lua_, -3);
    return true;
  }

  bool Aggregate(char type, std::string_view header, int depth) {
    int64_t n = 0;
    if (Length l = ReadLength(header, &n); l != Length::kOk) {
      return l == Length::kNil;
    }
    if (type == '*' || type == '>') {
      lua_createtable(lua_, static_cast<int>(n), 0);
      for (int64_t i = 1; i <= n; i++) {
        if (!Push(depth + 1)) {
          return false;
        }
        lua_rawseti(lua_, -2, static_cast<int>(i));
      }
      return true;
    }
    lua_newtable(lua_);
    lua_pushstring(lua_, type == '%' ? "map" : "set");
    lua_newtable(lua_);
    for (int64_t i = 0; i < n; i++) {
      if (!Push(depth + 1)) {
        return false;
      }
      if (type == '%') {
        if (!Push(depth + 1)) {
          return false;
        }
      } else {
        lua_pushboolean(lua_, 1);
      }
      lua_rawset(lua_, -3);
    }
    lua_rawset(lua_, -3);
    return true;
  }

  lua_State* lua_;
  std::string_view in_;
  size_t pos_ = 0;
};

// The string field `name` of the table at the top of the stack, pushed; false (nothing pushed)
// when it is not a string. Uses rawget: scripts cannot fake fields through metatables.
bool PushStringField(lua_State* lua, const char* name, int type = LUA_TSTRING) {
  lua_pushstring(lua, name);
  lua_rawget(lua, -2);
  if (lua_type(lua, -1) == type) {
    return true;
  }
  lua_pop(lua, 1);
  return false;
}

std::string TopString(lua_State* lua) {
  size_t len = 0;
  const char* s = lua_tolstring(lua, -1, &len);
  return std::string(s, len);
}

std::string NoNewlines(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') {
      c = ' ';
    }
  }
  return s;
}

void WriteValue(lua_State* lua, protocol::ReplyWriter& reply, int script_resp, int depth);

// Map and set tables: {map={k=v}} / {set={k=true}}. The inner table is on the top.
void WriteMapOrSet(lua_State* lua, protocol::ReplyWriter& reply, int script_resp, int depth,
                   bool map) {
  int64_t n = 0;
  lua_pushnil(lua);
  while (lua_next(lua, -2) != 0) {
    lua_pop(lua, 1);
    n++;
  }
  if (map) {
    reply.MapHeader(n);
  } else {
    reply.SetHeader(n);
  }
  lua_pushnil(lua);
  while (lua_next(lua, -2) != 0) {
    lua_pushvalue(lua, -2);  // key copy on top
    WriteValue(lua, reply, script_resp, depth + 1);
    lua_pop(lua, 1);
    if (map) {
      WriteValue(lua, reply, script_resp, depth + 1);
    }
    lua_pop(lua, 1);
  }
}

// Tables with a special field; false when it is a plain array.
bool WriteSpecialTable(lua_State* lua, protocol::ReplyWriter& reply, int script_resp, int depth) {
  if (PushStringField(lua, "err")) {
    std::string text = NoNewlines(TopString(lua));
    lua_pop(lua, 1);
    WriteErrorOf(lua, reply, text);
    lua_pushnil(lua);  // the caller pops one value
  } else if (PushStringField(lua, "ok")) {
    reply.Simple(NoNewlines(TopString(lua)));
  } else if (PushStringField(lua, "double", LUA_TNUMBER)) {
    reply.Double(lua_tonumber(lua, -1));
  } else if (PushStringField(lua, "big_number")) {
    std::string digits = NoNewlines(TopString(lua));
    if (reply.protocol() == 3) {
      reply.Raw("(" + digits + "\r\n");
    } else {
      reply.Bulk(digits);
    }
  } else if (PushStringField(lua, "verbatim_string", LUA_TTABLE)) {
    bool ok = PushStringField(lua, "format");
    std::string format = ok ? TopString(lua) : "";
    lua_pop(lua, ok ? 1 : 0);
    bool has_string = PushStringField(lua, "string");
    std::string text = has_string ? TopString(lua) : "";
    lua_pop(lua, has_string ? 1 : 0);
    if (format.size() == 3 && has_string) {
      reply.Verbatim(text, format);
    } else {
      reply.Null();
    }
  } else if (PushStringField(lua, "map", LUA_TTABLE)) {
    WriteMapOrSet(lua, reply, script_resp, depth, true);
  } else if (PushStringField(lua, "set", LUA_TTABLE)) {
    WriteMapOrSet(lua, reply, script_resp, depth, false);
  } else {
    return false;
  }
  lua_pop(lua, 1);
  return true;
}

void WriteValue(lua_State* lua, protocol::ReplyWriter& reply, int script_resp, int depth) {
  if (depth > kMaxDepth || !lua_checkstack(lua, 8)) {
    reply.Error("ERR reached lua stack limit");
    return;
  }
  switch (lua_type(lua, -1)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(lua, -1, &len);
      reply.Bulk(std::string_view(s, len));
      return;
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(lua, -1)) {
          reply.Integer(1);
        } else {
          reply.Null();
        }
      } else {
        reply.Bool(lua_toboolean(lua, -1) != 0);
      }
      return;
    case LUA_TNUMBER:
      reply.Integer(static_cast<int64_t>(lua_tonumber(lua, -1)));
      return;
    case LUA_TTABLE:
      break;
    default:
      reply.Null();
      return;
  }
  if (WriteSpecialTable(lua, reply, script_resp, depth)) {
    return;
  }
  int64_t n = 0;
  for (;; n++) {
    lua_rawgeti(lua, -1, static_cast<int>(n + 1));
    bool end = lua_isnil(lua, -1);
    lua_pop(lua, 1);
    if (end) {
      break;
    }
  }
  reply.ArrayHeader(n);
  for (int64_t i = 1; i <= n; i++) {
    lua_rawgeti(lua, -1, static_cast<int>(i));
    WriteValue(lua, reply, script_resp, depth + 1);
    lua_pop(lua, 1);
  }
}

}  // namespace

bool PushReply(lua_State* lua, std::string_view resp) {
  int top = lua_gettop(lua);
  ReplyParser parser(lua, resp);
  if (!parser.Push(0)) {
    lua_settop(lua, top);
    return false;
  }
  return true;
}

void WriteReply(lua_State* lua, protocol::ReplyWriter& reply, int script_resp) {
  WriteValue(lua, reply, script_resp, 0);
}

void WriteErrorOf(lua_State* lua, protocol::ReplyWriter& reply, std::string_view text) {
  lua_pushstring(lua, kIgnoreErrorStats);
  lua_rawget(lua, -2);
  bool counted = lua_toboolean(lua, -1) != 0;
  lua_pop(lua, 1);
  if (counted) {
    reply.UncountedError(text);
  } else {
    reply.Error(text);
  }
}

}  // namespace cairn::scripting
