// Fuzzes the RESP request parser: arbitrary bytes, fed whole and split at a fuzzer-chosen point
// (a command split across reads must parse identically), with and without the unauthenticated
// limits. Invariants are checked with __builtin_trap so the fuzzer reports them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/protocol/resp_parser.h"

namespace {

using cairn::protocol::ParserLimits;
using cairn::protocol::RespParser;

struct Parsed {
  std::vector<std::vector<std::string>> commands;
  bool error = false;
};

// Parses everything in `input` delivered in two reads (the first `split` bytes, then the rest).
Parsed ParseAll(std::string_view input, size_t split, const ParserLimits& limits) {
  Parsed out;
  RespParser parser;
  std::string buffer;
  size_t fed = 0;
  auto feed = [&](size_t upto) {
    buffer.append(input.substr(fed, upto - fed));
    fed = upto;
    while (!buffer.empty()) {
      RespParser::State st = parser.Parse(buffer, limits);
      if (st == RespParser::State::kNeedMore) {
        return;
      }
      if (st == RespParser::State::kError) {
        if (parser.error().rfind("Protocol error: ", 0) != 0) {
          __builtin_trap();
        }
        out.error = true;
        buffer.clear();
        return;
      }
      if (parser.consumed() == 0 || parser.consumed() > buffer.size()) {
        __builtin_trap();
      }
      if (st == RespParser::State::kCommand) {
        if (parser.args().empty()) {
          __builtin_trap();
        }
        out.commands.emplace_back(parser.args().begin(), parser.args().end());
      }
      buffer.erase(0, parser.consumed());
      parser.Reset();
    }
  };
  feed(split);
  if (!out.error) {
    feed(input.size());
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) {
    return 0;
  }
  size_t split = data[0] % (size);
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  split = std::min(split, input.size());
  ParserLimits limits{.max_bulk_bytes = 1 << 20, .auth_required = (data[0] & 0x80) != 0};
  Parsed whole = ParseAll(input, input.size(), limits);
  Parsed split_parse = ParseAll(input, split, limits);
  // Commands complete in the whole input must come out the same when it arrives in two reads.
  if (!whole.error && !split_parse.error && whole.commands != split_parse.commands) {
    __builtin_trap();
  }
  std::vector<std::string> args;
  cairn::protocol::SplitInlineArgs(input, &args);
  return 0;
}
