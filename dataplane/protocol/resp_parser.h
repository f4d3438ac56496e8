// Incremental RESP request parser: multibulk (RESP2/RESP3 clients) and inline commands, with the
// limits Redis enforces while parsing (networking.c processMultibulkBuffer/processInlineBuffer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::protocol {

// Redis's PROTO_INLINE_MAX_SIZE: the longest inline line or count line before a protocol error.
inline constexpr size_t kInlineMaxBytes = 64 * 1024;
// Bulks at least this large get their own buffer space reserved (Redis's PROTO_MBULK_BIG_ARG).
inline constexpr size_t kBigArgBytes = 32 * 1024;
// Before AUTH, when a password is required: at most this many arguments and bytes per argument.
inline constexpr int64_t kUnauthMaxArgs = 10;
inline constexpr int64_t kUnauthMaxBulkBytes = 16384;

struct ParserLimits {
  int64_t max_bulk_bytes = 512LL * 1024 * 1024;  // proto-max-bulk-len
  bool auth_required = false;                    // apply the tighter unauthenticated limits
};

// Parses one command at a time out of a caller-owned input buffer. State survives between calls,
// so a command split across reads is scanned once. Arguments are views into the buffer and stay
// valid until the caller consumes the command's bytes or changes the buffer.
//
// Usage: after appending bytes to `input`, call Parse(input) repeatedly:
//   kCommand -> args() holds the command; consumed() bytes belong to it; call Reset() after
//               executing and erase/skip those bytes.
//   kEmpty   -> consumed() bytes held nothing to run (an empty line, "*0"); skip them, Reset().
//   kNeedMore-> wait for more input (nothing to skip).
//   kError   -> error() is the client-visible text ("Protocol error: ..."); reply with it and
//               close the connection after the reply is written. Nothing after it may run.
class RespParser {
 public:
  enum class State { kNeedMore, kCommand, kEmpty, kError };

  State Parse(std::string_view input, const ParserLimits& limits);
  void Reset();

  const std::vector<std::string_view>& args() const { return args_; }
  size_t consumed() const { return pos_; }
  const std::string& error() const { return error_; }
  // Bytes the buffer should hold for the bulk being read (0 when none pending): lets the caller
  // reserve once for a large value instead of growing repeatedly.
  size_t PendingBulkBytes() const;

 private:
  State ParseMultibulk(std::string_view input, const ParserLimits& limits);
  State ParseInline(std::string_view input);
  State Fail(std::string message);

  size_t pos_ = 0;              // bytes of the current command parsed so far
  int64_t multibulk_left_ = 0;  // arguments still to read; 0 = count line not read yet
  int64_t bulk_len_ = -1;       // length of the bulk being read; -1 = header not read yet
  std::vector<std::pair<size_t, size_t>> spans_;  // (offset, length) of each argument
  std::vector<std::string_view> args_;
  std::vector<std::string> inline_args_;  // inline arguments are unescaped, so owned here
  std::string error_;
};

// Splits an inline command line into arguments as Redis's sdssplitargs: spaces separate; "..."
// with \n \r \t \b \a \\ \" \xHH escapes; '...' with \' only; a closing quote must be followed by
// a space or the end. Returns false on unbalanced quotes.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace cairn::protocol
