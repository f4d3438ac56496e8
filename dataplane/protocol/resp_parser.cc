// RESP request parsing. Error texts and limits follow Redis 7.0's networking.c exactly, because
// clients and the compat suite compare them.
#include "dataplane/protocol/resp_parser.h"

#include <cstring>

#include "dataplane/base/strings.h"

namespace cairn::protocol {

void RespParser::Reset() {
  pos_ = 0;
  multibulk_left_ = 0;
  bulk_len_ = -1;
  spans_.clear();
  args_.clear();
  inline_args_.clear();
  error_.clear();
}

size_t RespParser::PendingBulkBytes() const {
  return bulk_len_ >= 0 ? pos_ + static_cast<size_t>(bulk_len_) + 2 : 0;
}

RespParser::State RespParser::Fail(std::string message) {
  error_ = std::move(message);
  return State::kError;
}

RespParser::State RespParser::Parse(std::string_view input, const ParserLimits& limits) {
  if (input.size() <= pos_ && multibulk_left_ == 0) {
    return State::kNeedMore;
  }
  if (multibulk_left_ > 0 || input[0] == '*') {
    return ParseMultibulk(input, limits);
  }
  return ParseInline(input);
}

RespParser::State RespParser::ParseInline(std::string_view input) {
  const char* start = input.data();
  const void* nl = std::memchr(start, '\n', input.size());
  if (nl == nullptr) {
    if (input.size() > kInlineMaxBytes) {
      return Fail("Protocol error: too big inline request");
    }
    return State::kNeedMore;
  }
  size_t line_end = static_cast<const char*>(nl) - start;
  size_t consumed = line_end + 1;
  if (line_end > 0 && start[line_end - 1] == '\r') {
    line_end--;
  }
  if (!SplitInlineArgs(std::string_view(start, line_end), &inline_args_)) {
    return Fail("Protocol error: unbalanced quotes in request");
  }
  pos_ = consumed;
  if (inline_args_.empty()) {
    return State::kEmpty;
  }
  args_.assign(inline_args_.begin(), inline_args_.end());
  return State::kCommand;
}

RespParser::State RespParser::ParseMultibulk(std::string_view input, const ParserLimits& limits) {
  const char* buf = input.data();
  size_t len = input.size();
  if (multibulk_left_ == 0) {
    const void* cr = std::memchr(buf, '\r', len);
    if (cr == nullptr) {
      if (len > kInlineMaxBytes) {
        return Fail("Protocol error: too big mbulk count string");
      }
      return State::kNeedMore;
    }
    size_t cr_at = static_cast<const char*>(cr) - buf;
    if (cr_at + 2 > len) {  // the '\n' has not arrived
      return State::kNeedMore;
    }
    std::optional<int64_t> count = ParseInt64(std::string_view(buf + 1, cr_at - 1));
    if (!count || *count > INT32_MAX) {
      return Fail("Protocol error: invalid multibulk length");
    }
    if (*count > kUnauthMaxArgs && limits.auth_required) {
      return Fail("Protocol error: unauthenticated multibulk length");
    }
    pos_ = cr_at + 2;
    if (*count <= 0) {
      return State::kEmpty;
    }
    multibulk_left_ = *count;
    // Grow gradually: a hostile count must not make us allocate for arguments never sent.
    spans_.reserve(static_cast<size_t>(std::min<int64_t>(*count, 1024)));
  }
  while (multibulk_left_ > 0) {
    if (bulk_len_ < 0) {
      if (pos_ >= len) {
        return State::kNeedMore;
      }
      const void* cr = std::memchr(buf + pos_, '\r', len - pos_);
      if (cr == nullptr) {
        if (len - pos_ > kInlineMaxBytes) {
          return Fail("Protocol error: too big bulk count string");
        }
        return State::kNeedMore;
      }
      size_t cr_at = static_cast<const char*>(cr) - buf;
      if (cr_at + 2 > len) {
        return State::kNeedMore;
      }
      if (buf[pos_] != '$') {
        return Fail(std::string("Protocol error: expected '$', got '") + buf[pos_] + "'");
      }
      std::optional<int64_t> n = ParseInt64(std::string_view(buf + pos_ + 1, cr_at - pos_ - 1));
      if (!n || *n < 0 || *n > limits.max_bulk_bytes) {
        return Fail("Protocol error: invalid bulk length");
      }
      if (*n > kUnauthMaxBulkBytes && limits.auth_required) {
        return Fail("Protocol error: unauthenticated bulk length");
      }
      pos_ = cr_at + 2;
      bulk_len_ = *n;
    }
    // Like Redis, the two bytes after the payload are skipped without being checked.
    if (len - pos_ < static_cast<size_t>(bulk_len_) + 2) {
      return State::kNeedMore;
    }
    spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ += static_cast<size_t>(bulk_len_) + 2;
    bulk_len_ = -1;
    multibulk_left_--;
  }
  args_.clear();
  args_.reserve(spans_.size());
  for (const auto& [offset, length] : spans_) {
    args_.emplace_back(buf + offset, length);
  }
  return State::kCommand;
}

namespace {

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  return c - 'A' + 10;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f';
}

}  // namespace

bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  // sdssplitargs works on a C string: the line ends at its first NUL.
  line = line.substr(0, line.find('\0'));
  size_t i = 0;
  size_t n = line.size();
  while (true) {
    while (i < n && IsSpace(line[i])) {
      i++;
    }
    if (i >= n) {
      return true;
    }
    std::string current;
    bool in_double = false;
    bool in_single = false;
    bool done = false;
    while (!done) {
      if (in_double) {
        if (i >= n) {
          return false;  // unterminated quotes
        }
        if (line[i] == '\\' && i + 3 < n && line[i + 1] == 'x' && IsHexDigit(line[i + 2]) &&
            IsHexDigit(line[i + 3])) {
          current.push_back(static_cast<char>(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 3;
        } else if (line[i] == '\\' && i + 1 < n) {
          i++;
          switch (line[i]) {
            case 'n':
              current.push_back('\n');
              break;
            case 'r':
              current.push_back('\r');
              break;
            case 't':
              current.push_back('\t');
              break;
            case 'b':
              current.push_back('\b');
              break;
            case 'a':
              current.push_back('\a');
              break;
            default:
              current.push_back(line[i]);
              break;
          }
        } else if (line[i] == '"') {
          // the closing quote must be followed by a space or nothing
          if (i + 1 < n && !IsSpace(line[i + 1])) {
            return false;
          }
          done = true;
        } else {
          current.push_back(line[i]);
        }
      } else if (in_single) {
        if (i >= n) {
          return false;
        }
        if (line[i] == '\\' && i + 1 < n && line[i + 1] == '\'') {
          i++;
          current.push_back('\'');
        } else if (line[i] == '\'') {
          if (i + 1 < n && !IsSpace(line[i + 1])) {
            return false;
          }
          done = true;
        } else {
          current.push_back(line[i]);
        }
      } else {
        if (i >= n) {
          done = true;
          break;
        }
        switch (line[i]) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            in_double = true;
            break;
          case '\'':
            in_single = true;
            break;
          default:
            current.push_back(line[i]);
            break;
        }
      }
      if (i < n) {
        i++;
      }
    }
    out->push_back(std::move(current));
  }
}

}  // namespace cairn::protocol
