// The AOF command stream: RESP arrays of bulk strings, as Redis 7.0 writes incr files and
// preamble-less base files, with optional "#TS:<unix seconds>\r\n" annotations between commands
// (aof-timestamp-enabled). Parsing (strict: no inline commands) and encoding.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"

namespace cairn::persistence {

// A command as a RESP array of bulk strings ("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n").
std::string EncodeRespCommand(const std::vector<std::string_view>& args);
// Appends the encoding of `args` to `out` (no temporary string per command).
void AppendRespCommand(std::string& out, const std::vector<std::string_view>& args);

// How a stream parse ended.
struct AofParseResult {
  size_t commands = 0;  // commands delivered to the callback
  size_t valid_bytes =
      0;  // offset in `data` of the end of the end of the last complete command (or annotation)
  // The data ended inside a command. `valid_bytes` is where the complete part ends; when it ended
  // inside a MULTI block, `valid_bytes` is where that MULTI starts (Redis reverts the incomplete
  // transaction) and `open_multi` is true (its queued commands must not run).
  bool truncated = false;
  bool open_multi = false;
};

// Parses `data` from `start`, calling `on_command` for each complete command (args[0] is the
// name). A callback error stops the parse and is returned. Errors (DataLoss): "Bad file format
// ... at offset N: <reason>" for bytes that are not a command (a bad '*' or '$' line, a bulk
// not followed by CRLF, an empty array). A stream that simply ends early is not an error: see
// AofParseResult::truncated.
Result<AofParseResult> ParseAofStream(
    std::string_view data, size_t start,
    const std::function<Status(const std::vector<std::string_view>& args)>& on_command);

}  // namespace cairn::persistence
