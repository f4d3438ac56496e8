// Redis listpack element encoding (listpack.c): the bytes of one element (integer-looking strings
// become integers, as lpAppend does), its back-length, and sizes. Stream nodes use the sizes to
// close a node at the same stream-node-max-bytes point Redis does; the RDB writer uses the bytes
// to write stream nodes exactly as Redis 7.0 does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::engine::listpack {

// Redis's lpStringToInt64 (string2ll): decimal, optional '-', no '+', no leading zeros, fits
// int64. Returns nullopt for anything else.
inline std::optional<int64_t> StringToInt64(std::string_view s) {
  if (s.empty() || s.size() > 20) {
    return std::nullopt;
  }
  size_t i = 0;
  bool negative = s[0] == '-';
  if (negative && ++i == s.size()) {
    return std::nullopt;
  }
  if (s[i] == '0') {
    return s.size() == 1 ? std::optional<int64_t>(0) : std::nullopt;
  }
  uint64_t v = 0;
  for (; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10) {
      return std::nullopt;
    }
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  if (negative) {
    if (v > uint64_t{1} << 63) {
      return std::nullopt;
    }
    return static_cast<int64_t>(0 - v);
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(v);
}

// Bytes of an integer element's encoding (without the back-length).
inline size_t IntEncodedSize(int64_t v) {
  if (v >= 0 && v <= 127) {
    return 1;
  }
  if (v >= -4096 && v <= 4095) {
    return 2;
  }
  if (v >= -32768 && v <= 32767) {
    return 3;
  }
  if (v >= -8388608 && v <= 8388607) {
    return 4;
  }
  if (v >= INT32_MIN && v <= INT32_MAX) {
    return 5;
  }
  return 9;
}

inline size_t StringEncodedSize(size_t len) {
  return len + (len < 64 ? 1 : len < 4096 ? 2 : 5);
}

inline size_t BackLenSize(size_t l) {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

// Bytes an element takes in a listpack, back-length included.
inline size_t IntElementSize(int64_t v) {
  size_t n = IntEncodedSize(v);
  return n + BackLenSize(n);
}
inline size_t ElementSize(std::string_view s) {
  std::optional<int64_t> v = StringToInt64(s);
  size_t n = v ? IntEncodedSize(*v) : StringEncodedSize(s.size());
  return n + BackLenSize(n);
}

// Header (total bytes, element count) plus the end byte.
inline constexpr size_t kOverhead = 7;

// Appends an integer element and its back-length to `out`.
inline void AppendInt(std::string& out, int64_t v) {
  size_t start = out.size();
  auto u = static_cast<uint64_t>(v);
  auto put_le = [&](int bytes) {
    for (int i = 0; i < bytes; i++) {
      out.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
    }
  };
  switch (IntEncodedSize(v)) {
    case 1:
      out.push_back(static_cast<char>(v));
      break;
    case 2:
      out.push_back(static_cast<char>(((u >> 8) & 0x1f) | 0xc0));
      out.push_back(static_cast<char>(u & 0xff));
      break;
    case 3:
      out.push_back(static_cast<char>(0xf1));
      put_le(2);
      break;
    case 4:
      out.push_back(static_cast<char>(0xf2));
      put_le(3);
      break;
    case 5:
      out.push_back(static_cast<char>(0xf3));
      put_le(4);
      break;
    default:
      out.push_back(static_cast<char>(0xf4));
      put_le(8);
  }
  size_t l = out.size() - start;
  size_t n = BackLenSize(l);
  for (size_t i = n; i-- > 0;) {
    out.push_back(static_cast<char>(((l >> (7 * i)) & 127) | (i + 1 < n ? 128 : 0)));
  }
}

// Appends a string element (as an integer when it looks like one) and its back-length.
inline void AppendString(std::string& out, std::string_view s) {
  if (std::optional<int64_t> v = StringToInt64(s)) {
    AppendInt(out, *v);
    return;
  }
  size_t start = out.size();
  size_t len = s.size();
  if (len < 64) {
    out.push_back(static_cast<char>(0x80 | len));
  } else if (len < 4096) {
    out.push_back(static_cast<char>(0xe0 | (len >> 8)));
    out.push_back(static_cast<char>(len & 0xff));
  } else {
    out.push_back(static_cast<char>(0xf0));
    for (int i = 0; i < 4; i++) {
      out.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
    }
  }
  out.append(s);
  size_t l = out.size() - start;
  size_t n = BackLenSize(l);
  for (size_t i = n; i-- > 0;) {
    out.push_back(static_cast<char>(((l >> (7 * i)) & 127) | (i + 1 < n ? 128 : 0)));
  }
}

// Wraps `elements` (concatenated encoded elements, `count` of them) into a listpack.
inline std::string Finish(std::string_view elements, size_t count) {
  std::string lp;
  size_t total = elements.size() + kOverhead;
  for (int i = 0; i < 4; i++) {
    lp.push_back(static_cast<char>((total >> (8 * i)) & 0xff));
  }
  size_t n = count < 65535 ? count : 65535;
  lp.push_back(static_cast<char>(n & 0xff));
  lp.push_back(static_cast<char>((n >> 8) & 0xff));
  lp.append(elements);
  lp.push_back(static_cast<char>(0xff));
  return lp;
}

}  // namespace cairn::engine::listpack
