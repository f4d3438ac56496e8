// Listpack, ziplist and intset decoding with full validation (Redis 7.0 listpack.c, ziplist.c,
// intset.c formats).
#include "dataplane/persistence/packed_blobs.h"

#include <cstdint>
#include <cstring>

namespace cairn::persistence {
namespace {

Status Bad(const std::string& what) {
  return Status::InvalidArgument(what);
}

uint64_t LoadLe(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    v |= static_cast<uint64_t>(p[i]) << (8 * i);
  }
  return v;
}

int64_t SignExtend(uint64_t v, int bits) {
  uint64_t m = uint64_t{1} << (bits - 1);
  if (bits == 64) {
    return static_cast<int64_t>(v);
  }
  v &= (uint64_t{1} << bits) - 1;
  return static_cast<int64_t>((v ^ m) - m);
}

size_t BacklenSize(uint64_t l) {
  if (l <= 127) {
    return 1;
  }
  if (l < 16383) {
    return 2;
  }
  if (l < 2097151) {
    return 3;
  }
  return l < 268435455 ? 4 : 5;
}

// Reads the back-length ending just before `end` (at most 5 bytes, not before `begin`).
bool ReadBacklen(const unsigned char* begin, const unsigned char* end, uint64_t* out) {
  uint64_t v = 0;
  int shift = 0;
  for (int i = 0; i < 5; i++) {
    if (end - 1 - i < begin) {
      return false;
    }
    unsigned char b = end[-1 - i];
    v |= static_cast<uint64_t>(b & 127) << shift;
    if ((b & 128) == 0) {
      *out = v;
      return true;
    }
    shift += 7;
  }
  return false;
}

// One listpack entry at `p` (before `end`): sets *header (encoding bytes), *data_len and, for
// integers, *value; returns false when it would overrun.
bool ListpackEntry(const unsigned char* p, const unsigned char* end, size_t* header,
                   uint64_t* data_len, bool* is_int, int64_t* value) {
  size_t avail = static_cast<size_t>(end - p);
  unsigned char b = p[0];
  *is_int = true;
  *data_len = 0;
  auto need = [&](size_t n) { return avail >= n; };
  if ((b & 0x80) == 0) {
    *header = 1;
    *value = b & 0x7f;
  } else if ((b & 0xC0) == 0x80) {
    *is_int = false;
    *header = 1;
    *data_len = b & 0x3f;
  } else if ((b & 0xE0) == 0xC0) {
    if (!need(2)) {
      return false;
    }
    *header = 2;
    *value = SignExtend((static_cast<uint64_t>(b & 0x1f) << 8) | p[1], 13);
  } else if ((b & 0xF0) == 0xE0) {
    if (!need(2)) {
      return false;
    }
    *is_int = false;
    *header = 2;
    *data_len = (static_cast<uint64_t>(b & 0x0f) << 8) | p[1];
  } else if (b == 0xF0) {
    if (!need(5)) {
      return false;
    }
    *is_int = false;
    *header = 5;
    *data_len = LoadLe(p + 1, 4);
  } else if (b >= 0xF1 && b <= 0xF4) {
    static constexpr size_t kBytes[] = {2, 3, 4, 8};
    size_t n = kBytes[b - 0xF1];
    if (!need(1 + n)) {
      return false;
    }
    *header = 1 + n;
    *value = SignExtend(LoadLe(p + 1, n), static_cast<int>(n * 8));
  } else {
    return false;  // 0xF5..0xFE unused, 0xFF is the terminator
  }
  return *header + *data_len <= avail;
}

}  // namespace

Result<std::vector<std::string>> DecodeListpack(std::string_view blob) {
  const auto* base = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < 7) {
    return Bad("listpack shorter than its header");
  }
  uint64_t total = LoadLe(base, 4);
  uint64_t declared = LoadLe(base + 4, 2);
  if (total != blob.size() || base[blob.size() - 1] != 0xFF) {
    return Bad("listpack size or terminator mismatch");
  }
  const unsigned char* end = base + blob.size() - 1;
  std::vector<std::string> out;
  for (const unsigned char* p = base + 6; p < end;) {
    size_t header;
    uint64_t data_len;
    bool is_int;
    int64_t value = 0;
    if (!ListpackEntry(p, end, &header, &data_len, &is_int, &value)) {
      return Bad("listpack entry overruns the blob");
    }
    uint64_t entry_len = header + data_len;
    size_t back = BacklenSize(entry_len);
    if (entry_len + back > static_cast<uint64_t>(end - p)) {
      return Bad("listpack back-length overruns the blob");
    }
    uint64_t backlen;
    if (!ReadBacklen(p, p + entry_len + back, &backlen) || backlen != entry_len) {
      return Bad("listpack back-length mismatch");
    }
    if (is_int) {
      out.push_back(std::to_string(value));
    } else {
      out.emplace_back(reinterpret_cast<const char*>(p + header), data_len);
    }
    p += entry_len + back;
  }
  if (declared != 65535 && declared != out.size()) {
    return Bad("listpack element count mismatch");
  }
  return out;
}

namespace {

// One ziplist entry's encoding at `p`: header bytes and data length, integer value if any.
bool ZiplistEncoding(const unsigned char* p, const unsigned char* end, size_t* header,
                     uint64_t* data_len, bool* is_int, int64_t* value) {
  size_t avail = static_cast<size_t>(end - p);
  if (avail < 1) {
    return false;
  }
  unsigned char b = p[0];
  *is_int = false;
  switch (b >> 6) {
    case 0:
      *header = 1;
      *data_len = b & 0x3f;
      return 1 + *data_len <= avail;
    case 1:
      if (avail < 2) {
        return false;
      }
      *header = 2;
      *data_len = (static_cast<uint64_t>(b & 0x3f) << 8) | p[1];
      return 2 + *data_len <= avail;
    case 2:
      if (b != 0x80 || avail < 5) {
        return false;
      }
      *header = 5;
      *data_len = (uint64_t{p[1]} << 24) | (uint64_t{p[2]} << 16) | (uint64_t{p[3]} << 8) | p[4];
      return 5 + *data_len <= avail;
    default:
      break;
  }
  *is_int = true;
  *header = 1;
  size_t n;
  if (b == 0xC0) {
    n = 2;
  } else if (b == 0xD0) {
    n = 4;
  } else if (b == 0xE0) {
    n = 8;
  } else if (b == 0xF0) {
    n = 3;
  } else if (b == 0xFE) {
    n = 1;
  } else if (b >= 0xF1 && b <= 0xFD) {
    *data_len = 0;
    *value = (b & 0x0f) - 1;
    return true;
  } else {
    return false;
  }
  if (1 + n > avail) {
    return false;
  }
  *data_len = n;
  *value = SignExtend(LoadLe(p + 1, n), static_cast<int>(n * 8));
  return true;
}

}  // namespace

Result<std::vector<std::string>> DecodeZiplist(std::string_view blob) {
  const auto* base = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < 11) {
    return Bad("ziplist shorter than its header");
  }
  uint64_t total = LoadLe(base, 4);
  uint64_t tail = LoadLe(base + 4, 4);
  uint64_t declared = LoadLe(base + 8, 2);
  if (total != blob.size() || base[blob.size() - 1] != 0xFF) {
    return Bad("ziplist size or terminator mismatch");
  }
  const unsigned char* end = base + blob.size() - 1;
  std::vector<std::string> out;
  uint64_t prev_len = 0;
  uint64_t last_offset = 10;
  for (const unsigned char* p = base + 10; p < end;) {
    const unsigned char* entry = p;
    uint64_t prevlen;
    if (p[0] < 254) {
      prevlen = p[0];
      p += 1;
    } else if (p[0] == 254 && end - p >= 5) {
      prevlen = LoadLe(p + 1, 4);
      p += 5;
    } else {
      return Bad("ziplist prev-length invalid");
    }
    if (prevlen != prev_len) {
      return Bad("ziplist prev-length mismatch");
    }
    size_t header;
    uint64_t data_len;
    bool is_int;
    int64_t value = 0;
    if (!ZiplistEncoding(p, end, &header, &data_len, &is_int, &value)) {
      return Bad("ziplist entry overruns the blob or has a bad encoding");
    }
    if (is_int) {
      out.push_back(std::to_string(value));
    } else {
      out.emplace_back(reinterpret_cast<const char*>(p + header), data_len);
    }
    p += header + data_len;
    last_offset = static_cast<uint64_t>(entry - base);
    prev_len = static_cast<uint64_t>(p - entry);
  }
  if (tail != last_offset || (declared != 65535 && declared != out.size())) {
    return Bad("ziplist tail offset or element count mismatch");
  }
  return out;
}

Result<std::vector<std::string>> DecodeIntset(std::string_view blob) {
  const auto* base = reinterpret_cast<const unsigned char*>(blob.data());
  if (blob.size() < 8) {
    return Bad("intset shorter than its header");
  }
  uint64_t width = LoadLe(base, 4);
  uint64_t count = LoadLe(base + 4, 4);
  if ((width != 2 && width != 4 && width != 8) || blob.size() != 8 + width * count || count == 0) {
    return Bad("intset encoding or size mismatch");
  }
  std::vector<std::string> out;
  out.reserve(count);
  int64_t prev = 0;
  for (uint64_t i = 0; i < count; i++) {
    int64_t v = SignExtend(LoadLe(base + 8 + i * width, width), static_cast<int>(width * 8));
    if (i > 0 && v <= prev) {
      return Bad("intset not sorted or has duplicates");
    }
    prev = v;
    out.push_back(std::to_string(v));
  }
  return out;
}

}  // namespace cairn::persistence
