// String utilities following Redis's util.c rules.
#include "dataplane/base/strings.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cairn {

std::optional<int64_t> ParseInt64(std::string_view s) {
  if (s.empty() || s.size() > 20) {
    return std::nullopt;
  }
  if (s.size() == 1 && s[0] == '0') {
    return 0;
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    i = 1;
    if (s.size() == 1) {
      return std::nullopt;
    }
  }
  if (s[i] < '1' || s[i] > '9') {  // rejects '+', spaces and leading zeros
    return std::nullopt;
  }
  uint64_t v = 0;
  for (; i < s.size(); i++) {
    char c = s[i];
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    if (v > (UINT64_MAX / 10)) {
      return std::nullopt;
    }
    v *= 10;
    if (v > UINT64_MAX - static_cast<uint64_t>(c - '0')) {
      return std::nullopt;
    }
    v += static_cast<uint64_t>(c - '0');
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) {
      return std::nullopt;
    }
    return static_cast<int64_t>(0 - v);
  }
  if (v > static_cast<uint64_t>(INT64_MAX)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(v);
}

std::optional<uint64_t> ParseUint64(std::string_view s) {
  if (s.empty() || s.size() > 20) {
    return std::nullopt;
  }
  if (s.size() > 1 && s[0] == '0') {
    return std::nullopt;
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

std::optional<double> ParseDouble(std::string_view s) {
  if (s.empty() || s.size() > 5000 || std::isspace(static_cast<unsigned char>(s[0]))) {
    return std::nullopt;
  }
  std::string buf(s);  // strtod needs a terminated string
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v)) {
    return std::nullopt;
  }
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO)) {
    return std::nullopt;
  }
  return v;
}

std::optional<long double> ParseLongDouble(std::string_view s) {
  if (s.empty() || s.size() > 5000 || std::isspace(static_cast<unsigned char>(s[0]))) {
    return std::nullopt;
  }
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v) || errno == ERANGE) {
    return std::nullopt;
  }
  return v;
}

std::string FormatInt64(int64_t v) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  (void)ec;  // 24 bytes always fit an int64
  return std::string(buf, ptr);
}

std::string FormatDouble(double v) {
  if (std::isinf(v)) {
    return v > 0 ? "inf" : "-inf";
  }
  if (std::isnan(v)) {
    return "nan";
  }
  char buf[128];
  int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<std::string> FormatLongDoubleHuman(long double v) {
  if (std::isinf(v) || std::isnan(v)) {
    return std::nullopt;
  }
  char buf[5600];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) {
    return std::nullopt;
  }
  std::string out(buf, static_cast<size_t>(n));
  if (out.find('.') != std::string::npos) {
    while (!out.empty() && out.back() == '0') {
      out.pop_back();
    }
    if (!out.empty() && out.back() == '.') {
      out.pop_back();
    }
  }
  if (out == "-0") {
    out = "0";
  }
  return out;
}

namespace {

char Fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Recursive matcher over raw pointers, as stringmatchlen; `nesting` bounds recursion depth on
// patterns with many '*' so a hostile pattern cannot exhaust the stack.
bool MatchImpl(const char* p, size_t plen, const char* s, size_t slen, bool nocase, int nesting,
               bool* skip_longer) {
  if (nesting > 1000) {
    return false;
  }
  while (plen > 0 && slen > 0) {
    switch (p[0]) {
      case '*': {
        while (plen > 1 && p[1] == '*') {
          p++;
          plen--;
        }
        if (plen == 1) {
          return true;
        }
        while (slen > 0) {
          if (MatchImpl(p + 1, plen - 1, s, slen, nocase, nesting + 1, skip_longer)) {
            return true;
          }
          if (*skip_longer) {
            return false;
          }
          s++;
          slen--;
        }
        *skip_longer = true;
        return false;
      }
      case '?':
        s++;
        slen--;
        break;
      case '[': {
        p++;
        plen--;
        bool negate = plen > 0 && p[0] == '^';
        if (negate) {
          p++;
          plen--;
        }
        bool match = false;
        while (true) {
          if (plen == 0) {
            // an unterminated class: treat as ended (as Redis does)
            p--;
            plen++;
            break;
          }
          if (p[0] == '\\' && plen >= 2) {
            p++;
            plen--;
            if (p[0] == s[0]) {
              match = true;
            }
          } else if (p[0] == ']') {
            break;
          } else if (plen >= 3 && p[1] == '-') {
            char start = Fold(p[0], nocase);
            char end = Fold(p[2], nocase);
            char c = Fold(s[0], nocase);
            if (start > end) {
              std::swap(start, end);
            }
            p += 2;
            plen -= 2;
            if (c >= start && c <= end) {
              match = true;
            }
          } else if (Fold(p[0], nocase) == Fold(s[0], nocase)) {
            match = true;
          }
          p++;
          plen--;
        }
        if (negate) {
          match = !match;
        }
        if (!match) {
          return false;
        }
        s++;
        slen--;
        break;
      }
      case '\\':
        if (plen >= 2) {
          p++;
          plen--;
        }
        [[fallthrough]];
      default:
        if (Fold(p[0], nocase) != Fold(s[0], nocase)) {
          return false;
        }
        s++;
        slen--;
        break;
    }
    p++;
    plen--;
    if (slen == 0) {
      while (plen > 0 && *p == '*') {
        p++;
        plen--;
      }
      break;
    }
  }
  return plen == 0 && slen == 0;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  bool skip_longer = false;
  return MatchImpl(pattern.data(), pattern.size(), str.data(), str.size(), nocase, 0, &skip_longer);
}

std::string QuoteRepr(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
      case '"':
        out += '\\';
        out += static_cast<char>(c);
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (std::isprint(c)) {
          out += static_cast<char>(c);
        } else {
          char buf[5];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        }
    }
  }
  out += '"';
  return out;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); i++) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x - 'A' + 'a');
    }
    if (y >= 'A' && y <= 'Z') {
      y = static_cast<char>(y - 'A' + 'a');
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

}  // namespace cairn
