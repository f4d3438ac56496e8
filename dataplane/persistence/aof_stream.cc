// AOF stream parsing as Redis 7.0's loadSingleAppendOnlyFile reads it: '*<argc>' then argc
// '$<len>' bulks; lines starting with '#' are annotations; the end of data inside a command is a
// truncation (the caller decides whether aof-load-truncated tolerates it).
#include "dataplane/persistence/aof_stream.h"

#include <cstdint>
#include <optional>

#include "dataplane/base/strings.h"

namespace cairn::persistence {
namespace {

// Redis refuses bulk lengths above proto-max-bulk-len's hard cap; 512 MB is the default limit.
constexpr int64_t kMaxArgs = 1024 * 1024 * 1024;
constexpr int64_t kMaxBulk = 512LL * 1024 * 1024;

Status BadFormat(size_t offset, const std::string& why) {
  return Status::DataLoss("Bad file format at offset " + std::to_string(offset) + ": " + why);
}

// Reads "<prefix><int>\r\n" at *pos. nullopt: the data ended first (truncation).
Result<std::optional<int64_t>> ReadHeader(std::string_view data, size_t* pos, char prefix,
                                          int64_t max) {
  size_t start = *pos;
  size_t nl = data.find('\n', start);
  if (nl == std::string_view::npos) {
    return std::optional<int64_t>();
  }
  if (data[start] != prefix || nl < start + 2 || data[nl - 1] != '\r') {
    return BadFormat(start, std::string("expected '") + prefix + "<count>\\r\\n'");
  }
  std::optional<int64_t> n = ParseInt64(data.substr(start + 1, nl - 1 - start - 1));
  if (!n || *n < (prefix == '*' ? 1 : 0) || *n > max) {
    return BadFormat(start,
                     std::string("invalid ") + (prefix == '*' ? "argument count" : "length"));
  }
  *pos = nl + 1;
  return n;
}

// One command at *pos into args. False: truncated. Errors: bad format.
Result<bool> ReadCommand(std::string_view data, size_t* pos, std::vector<std::string_view>& args) {
  args.clear();
  Result<std::optional<int64_t>> argc = ReadHeader(data, pos, '*', kMaxArgs);
  if (!argc.ok()) {
    return argc.status();
  }
  if (!argc->has_value()) {
    return false;
  }
  for (int64_t i = 0; i < **argc; i++) {
    if (*pos >= data.size()) {
      return false;
    }
    Result<std::optional<int64_t>> len = ReadHeader(data, pos, '$', kMaxBulk);
    if (!len.ok()) {
      return len.status();
    }
    if (!len->has_value()) {
      return false;
    }
    auto n = static_cast<size_t>(**len);
    if (data.size() - *pos < n + 2) {
      return false;
    }
    if (data[*pos + n] != '\r' || data[*pos + n + 1] != '\n') {
      return BadFormat(*pos + n, "bulk string not terminated by CRLF");
    }
    args.push_back(data.substr(*pos, n));
    *pos += n + 2;
  }
  return true;
}

}  // namespace

void AppendRespCommand(std::string& out, const std::vector<std::string_view>& args) {
  out += '*';
  out += std::to_string(args.size());
  out += "\r\n";
  for (std::string_view a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out.append(a);
    out += "\r\n";
  }
}

std::string EncodeRespCommand(const std::vector<std::string_view>& args) {
  std::string out;
  AppendRespCommand(out, args);
  return out;
}

Result<AofParseResult> ParseAofStream(
    std::string_view data, size_t start,
    const std::function<Status(const std::vector<std::string_view>& args)>& on_command) {
  AofParseResult result;
  result.valid_bytes = start;
  std::vector<std::string_view> args;
  size_t pos = start;
  std::optional<size_t> multi_at;  // start of an open MULTI block
  while (pos < data.size()) {
    if (data[pos] == '#') {  // annotation ("#TS:...") up to and including its newline
      size_t nl = data.find('\n', pos);
      if (nl == std::string_view::npos) {
        result.truncated = true;
        break;
      }
      pos = nl + 1;
      result.valid_bytes = pos;
      continue;
    }
    size_t command_at = pos;
    Result<bool> complete = ReadCommand(data, &pos, args);
    if (!complete.ok()) {
      return complete.status();
    }
    if (!*complete) {
      result.truncated = true;
      break;
    }
    if (EqualsIgnoreCase(args[0], "multi")) {
      multi_at = command_at;
    } else if (EqualsIgnoreCase(args[0], "exec")) {
      multi_at.reset();
    }
    CAIRN_RETURN_IF_ERROR(on_command(args));
    result.commands++;
    result.valid_bytes = pos;
  }
  if (multi_at) {
    result.truncated = true;
    result.open_multi = true;
    result.valid_bytes = *multi_at;
  }
  return result;
}

}  // namespace cairn::persistence
