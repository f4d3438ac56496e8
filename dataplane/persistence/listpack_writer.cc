// EncodeListpack: Redis 7.0's listpack byte layout (lpEncodeIntegerGetType, lpEncodeString,
// lpEncodeBacklen).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/strings.h"
#include "dataplane/persistence/packed_blobs.h"

namespace cairn::persistence {
namespace {

void PutLe(std::string* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; i++) {
    out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

// Appends the encoding and data of one element.
void PutElement(std::string* out, const std::string& s) {
  std::optional<int64_t> iv = s.size() <= 20 ? ParseInt64(s) : std::nullopt;
  if (iv) {
    int64_t v = *iv;
    auto uv = static_cast<uint64_t>(v);
    if (v >= 0 && v <= 127) {
      out->push_back(static_cast<char>(v));
    } else if (v >= -4096 && v <= 4095) {
      uint64_t u = v < 0 ? (uint64_t{1} << 13) + uv : uv;
      out->push_back(static_cast<char>((u >> 8) | 0xC0));
      out->push_back(static_cast<char>(u & 0xff));
    } else if (v >= -32768 && v <= 32767) {
      out->push_back(static_cast<char>(0xF1));
      PutLe(out, uv, 2);
    } else if (v >= -8388608 && v <= 8388607) {
      out->push_back(static_cast<char>(0xF2));
      PutLe(out, uv, 3);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      out->push_back(static_cast<char>(0xF3));
      PutLe(out, uv, 4);
    } else {
      out->push_back(static_cast<char>(0xF4));
      PutLe(out, uv, 8);
    }
    return;
  }
  size_t len = s.size();
  if (len < 64) {
    out->push_back(static_cast<char>(0x80 | len));
  } else if (len < 4096) {
    out->push_back(static_cast<char>(0xE0 | (len >> 8)));
    out->push_back(static_cast<char>(len & 0xff));
  } else {
    out->push_back(static_cast<char>(0xF0));
    PutLe(out, len, 4);
  }
  out->append(s);
}

// lpEncodeBacklen: the entry size `l`, most significant 7-bit group first, the high bit set on
// every byte but the first.
void PutBacklen(std::string* out, uint64_t l) {
  size_t n = l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
  for (size_t i = 0; i < n; i++) {
    auto b = static_cast<uint8_t>((l >> (7 * (n - 1 - i))) & 127);
    out->push_back(static_cast<char>(i == 0 ? b : (b | 128)));
  }
}

}  // namespace

std::string EncodeListpack(const std::vector<std::string>& items) {
  std::string out(6, '\0');
  for (const std::string& s : items) {
    size_t start = out.size();
    PutElement(&out, s);
    PutBacklen(&out, out.size() - start);
  }
  out.push_back(static_cast<char>(0xFF));
  std::string header;
  PutLe(&header, out.size(), 4);
  PutLe(&header, items.size() < 65535 ? items.size() : 65535, 2);
  out.replace(0, 6, header);
  return out;
}

}  // namespace cairn::persistence
