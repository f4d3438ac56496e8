// The `struct` library Redis exposes to scripts (Roberto Ierusalimschy's lua-struct interface):
//   struct.pack(fmt, v1, ...) -> string, struct.unpack(fmt, s [, pos]) -> v1, ..., next_pos,
//   struct.size(fmt) -> bytes.
// Format: ">" big endian, "<" little endian, "![n]" max alignment n (default 8), "x" a zero byte,
// "b"/"B" (un)signed char, "h"/"H" short, "l"/"L" long (8 bytes), "T" size_t, "i[n]"/"I[n]" an
// n-byte integer (default 4, at most 32), "f" float, "d" double, "s" zero-terminated string,
// "c[n]" n chars (c0 in pack: the whole string; in unpack: the length unpacked just before),
// " " ignored. Written against the documented behaviour; Debian has no package for it.
// Lua errors longjmp: these functions hold no C++ object with a destructor.
#include <cctype>
#include <climits>
#include <cstring>

#include "dataplane/scripting/lua_internal.h"

namespace cairn::scripting {
namespace {

constexpr int kMaxIntSize = 32;
constexpr int kMaxAlign = 8;

enum Endian { kBig = 0, kLittle = 1 };

struct Header {
  int endian = kLittle;  // x86-64 is little endian
  int align = 1;
};

int ReadNumber(lua_State* lua, const char** fmt, int fallback) {
  if (!std::isdigit(static_cast<unsigned char>(**fmt))) {
    return fallback;
  }
  int n = 0;
  do {
    int digit = *((*fmt)++) - '0';
    if (n > (INT_MAX - digit) / 10) {
      luaL_error(lua, "integral size overflow");
    }
    n = n * 10 + digit;
  } while (std::isdigit(static_cast<unsigned char>(**fmt)));
  return n;
}

bool IsIntegerOption(char opt) {
  return std::strchr("bBhHlLTiI", opt) != nullptr && opt != 0;
}

size_t OptionSize(lua_State* lua, char opt, const char** fmt) {
  switch (opt) {
    case 'B':
    case 'b':
      return 1;
    case 'H':
    case 'h':
      return sizeof(short);
    case 'L':
    case 'l':
      return sizeof(long);
    case 'T':
      return sizeof(size_t);
    case 'f':
      return sizeof(float);
    case 'd':
      return sizeof(double);
    case 'x':
      return 1;
    case 'c':
      return static_cast<size_t>(ReadNumber(lua, fmt, 1));
    case 'i':
    case 'I': {
      int size = ReadNumber(lua, fmt, sizeof(int));
      if (size > kMaxIntSize) {
        luaL_error(lua, "integral size %d is larger than limit of %d", size, kMaxIntSize);
      }
      return static_cast<size_t>(size);
    }
    default:
      return 0;
  }
}

size_t Padding(size_t offset, const Header& h, char opt, size_t size) {
  if (size == 0 || opt == 'c') {
    return 0;
  }
  size_t align = size > static_cast<size_t>(h.align) ? static_cast<size_t>(h.align) : size;
  return (align - (offset & (align - 1))) & (align - 1);
}

void ControlOption(lua_State* lua, char opt, const char** fmt, Header* h) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      h->endian = kBig;
      return;
    case '<':
      h->endian = kLittle;
      return;
    case '!': {
      int a = ReadNumber(lua, fmt, kMaxAlign);
      if (a <= 0 || (a & (a - 1)) != 0) {
        luaL_error(lua, "alignment %d is not a power of 2", a);
      }
      h->align = a;
      return;
    }
    default:
      luaL_argerror(lua, 1, lua_pushfstring(lua, "invalid format option '%c'", opt));
  }
}

void PutInteger(lua_State* lua, luaL_Buffer* b, int arg, int endian, size_t size) {
  lua_Number n = luaL_checknumber(lua, arg);
  auto value =
      n < 0 ? static_cast<unsigned long>(static_cast<long>(n)) : static_cast<unsigned long>(n);
  char bytes[kMaxIntSize];
  for (size_t i = 0; i < size; i++) {
    size_t at = endian == kLittle ? i : size - 1 - i;
    bytes[at] = static_cast<char>(value & 0xff);
    value = i + 1 < sizeof(value) ? value >> 8 : 0;
  }
  luaL_addlstring(b, bytes, size);
}

// Reverses `size` bytes when `endian` is not the machine's (little).
void FixBytes(char* bytes, size_t size, int endian) {
  if (endian == kLittle) {
    return;
  }
  for (size_t i = 0, j = size - 1; i < j; i++, j--) {
    char t = bytes[i];
    bytes[i] = bytes[j];
    bytes[j] = t;
  }
}

int Pack(lua_State* lua) {
  const char* fmt = luaL_checkstring(lua, 1);
  Header h;
  int arg = 2;
  size_t total = 0;
  lua_pushnil(lua);  // keeps the arguments apart from the buffer's stack use
  luaL_Buffer b;
  luaL_buffinit(lua, &b);
  while (*fmt != '\0') {
    char opt = *fmt++;
    size_t size = OptionSize(lua, opt, &fmt);
    size_t pad = Padding(total, h, opt, size);
    total += pad;
    while (pad-- > 0) {
      luaL_addchar(&b, '\0');
    }
    if (IsIntegerOption(opt)) {
      PutInteger(lua, &b, arg++, h.endian, size);
      total += size;
      continue;
    }
    switch (opt) {
      case 'x':
        luaL_addchar(&b, '\0');
        break;
      case 'f': {
        auto f = static_cast<float>(luaL_checknumber(lua, arg++));
        FixBytes(reinterpret_cast<char*>(&f), size, h.endian);
        luaL_addlstring(&b, reinterpret_cast<char*>(&f), size);
        break;
      }
      case 'd': {
        double d = luaL_checknumber(lua, arg++);
        FixBytes(reinterpret_cast<char*>(&d), size, h.endian);
        luaL_addlstring(&b, reinterpret_cast<char*>(&d), size);
        break;
      }
      case 'c':
      case 's': {
        size_t len = 0;
        const char* s = luaL_checklstring(lua, arg++, &len);
        if (size == 0) {
          size = len;
        }
        luaL_argcheck(lua, len >= size, arg, "string too short");
        luaL_addlstring(&b, s, size);
        if (opt == 's') {
          luaL_addchar(&b, '\0');
          size++;
        }
        break;
      }
      default:
        ControlOption(lua, opt, &fmt, &h);
    }
    total += size;
  }
  luaL_pushresult(&b);
  return 1;
}

lua_Number GetInteger(const char* bytes, int endian, bool is_signed, size_t size) {
  unsigned long value = 0;
  for (size_t i = 0; i < size; i++) {
    size_t at = endian == kBig ? i : size - 1 - i;
    value = (value << 8) | static_cast<unsigned char>(bytes[at]);
  }
  if (!is_signed) {
    return static_cast<lua_Number>(value);
  }
  if (size < sizeof(value)) {
    unsigned long mask = ~0UL << (size * 8 - 1);
    if ((value & mask) != 0) {
      value |= mask;  // sign extension
    }
  }
  return static_cast<lua_Number>(static_cast<long>(value));
}

// One unpacked value of `opt` at data[pos]; returns how many values it pushed (c0 consumes the
// previous one, so it may push 0 net).
void UnpackOne(lua_State* lua, char opt, const Header& h, const char* data, size_t len, size_t pos,
               size_t* size, int* n) {
  if (IsIntegerOption(opt)) {
    lua_pushnumber(lua, GetInteger(data + pos, h.endian, std::islower(opt) != 0, *size));
    (*n)++;
    return;
  }
  switch (opt) {
    case 'f': {
      float f;
      std::memcpy(&f, data + pos, sizeof(f));
      FixBytes(reinterpret_cast<char*>(&f), sizeof(f), h.endian);
      lua_pushnumber(lua, f);
      (*n)++;
      break;
    }
    case 'd': {
      double d;
      std::memcpy(&d, data + pos, sizeof(d));
      FixBytes(reinterpret_cast<char*>(&d), sizeof(d), h.endian);
      lua_pushnumber(lua, d);
      (*n)++;
      break;
    }
    case 'c':
      if (*size == 0) {
        if (*n == 0 || !lua_isnumber(lua, -1)) {
          luaL_error(lua, "format 'c0' needs a previous size");
        }
        *size = static_cast<size_t>(lua_tonumber(lua, -1));
        lua_pop(lua, 1);
        (*n)--;
        luaL_argcheck(lua, *size <= len && pos <= len - *size, 2, "data string too short");
      }
      lua_pushlstring(lua, data + pos, *size);
      (*n)++;
      break;
    case 's': {
      const void* end = std::memchr(data + pos, '\0', len - pos);
      if (end == nullptr) {
        luaL_error(lua, "unfinished string in data");
      }
      *size = static_cast<size_t>(static_cast<const char*>(end) - (data + pos)) + 1;
      lua_pushlstring(lua, data + pos, *size - 1);
      (*n)++;
      break;
    }
    default:
      break;
  }
}

int Unpack(lua_State* lua) {
  const char* fmt = luaL_checkstring(lua, 1);
  size_t len = 0;
  const char* data = luaL_checklstring(lua, 2, &len);
  lua_Integer start = luaL_optinteger(lua, 3, 1);
  luaL_argcheck(lua, start > 0, 3, "offset must be 1 or greater");
  auto pos = static_cast<size_t>(start - 1);
  Header h;
  int n = 0;
  while (*fmt != '\0') {
    char opt = *fmt++;
    size_t size = OptionSize(lua, opt, &fmt);
    pos += Padding(pos, h, opt, size);
    luaL_argcheck(lua, size <= len && pos <= len - size, 2, "data string too short");
    luaL_checkstack(lua, 2, "too many results");
    if (std::strchr("bBhHlLTiIfdcs", opt) != nullptr) {
      UnpackOne(lua, opt, h, data, len, pos, &size, &n);
    } else if (opt != 'x') {
      ControlOption(lua, opt, &fmt, &h);
    }
    pos += size;
  }
  lua_pushinteger(lua, static_cast<lua_Integer>(pos + 1));
  return n + 1;
}

int Size(lua_State* lua) {
  const char* fmt = luaL_checkstring(lua, 1);
  Header h;
  size_t pos = 0;
  while (*fmt != '\0') {
    char opt = *fmt++;
    size_t size = OptionSize(lua, opt, &fmt);
    pos += Padding(pos, h, opt, size);
    if (opt == 's') {
      luaL_argerror(lua, 1, "options variable-length format");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(lua, 1, "variable-length format");
    } else if (std::strchr("bBhHlLTiIfdcsx", opt) == nullptr) {
      ControlOption(lua, opt, &fmt, &h);
    }
    pos += size;
  }
  lua_pushinteger(lua, static_cast<lua_Integer>(pos));
  return 1;
}

}  // namespace

int OpenStruct(lua_State* lua) {
  static const luaL_Reg kFunctions[] = {
      {"pack", Pack}, {"unpack", Unpack}, {"size", Size}, {nullptr, nullptr}};
  lua_newtable(lua);
  luaL_register(lua, nullptr, kFunctions);
  return 1;
}

}  // namespace cairn::scripting
