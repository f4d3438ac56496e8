// Fuzzes the command dispatcher and every registered command: the input is parsed as RESP into
// commands which run in-process (CommandHarness) against one keyspace, with the clock moving
// between commands so expiry paths run too. Any crash, sanitizer report or CAIRN_CHECK failure
// is a finding; error replies are fine.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/strings.h"
#include "dataplane/commands/command_harness.h"
#include "dataplane/protocol/resp_parser.h"

namespace {

// Commands whose effect reaches outside the process or stalls it.
bool Skipped(const std::string& name) {
  std::string n = cairn::AsciiLower(name);
  return n == "shutdown" || n == "debug" || n == "monitor" || n == "config" || n == "client";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static cairn::commands::CommandHarness* harness = new cairn::commands::CommandHarness();
  cairn::commands::CommandHarness& h = *harness;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  cairn::protocol::RespParser parser;
  int commands = 0;
  while (!input.empty() && commands < 64) {
    cairn::protocol::RespParser::State st = parser.Parse(input, {.max_bulk_bytes = 1 << 16});
    if (st != cairn::protocol::RespParser::State::kCommand &&
        st != cairn::protocol::RespParser::State::kEmpty) {
      break;
    }
    if (st == cairn::protocol::RespParser::State::kCommand) {
      std::vector<std::string> args(parser.args().begin(), parser.args().end());
      if (!Skipped(args[0])) {
        h.RunAs(commands % 2, args);
        h.clock().AdvanceMs(args[0].size() * 7);
      }
      commands++;
    }
    input.remove_prefix(parser.consumed());
    parser.Reset();
  }
  h.keyspace().ActiveExpireCycle();
  // Keep the keyspace small so iterations stay fast and memory bounded.
  if (h.keyspace().db(0).size() > 5000) {
    h.Run({"FLUSHALL"});
  }
  return 0;
}
