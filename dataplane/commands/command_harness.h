// CommandHarness: runs commands in-process, with no sockets, and returns the exact RESP bytes of
// each reply. For unit tests of command families:
//   CommandHarness h;
//   EXPECT_EQ(h.Run({"INCRBY", "n", "5"}), ":5");
// Time comes from a ManualClock (h.clock().AdvanceMs(...)); AdvanceMs does not run the active
// expire cycle, call h.keyspace().ActiveExpireCycle() for that.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dataplane/base/clock.h"
#include "dataplane/base/config_table.h"
#include "dataplane/commands/client.h"
#include "dataplane/commands/command_table.h"
#include "dataplane/commands/server_state.h"
#include "dataplane/engine/keyspace.h"

namespace cairn::commands {

class CommandHarness {
 public:
  CommandHarness();
  ~CommandHarness();

  // Runs one command as the default client and returns its reply bytes without the final CRLF
  // (so "+OK", ":5", "$3\r\nbar"). Inside MULTI the reply is "+QUEUED".
  std::string Run(const std::vector<std::string>& args);
  // Runs as another client (created on first use by index: 0 is the default client).
  std::string RunAs(size_t client, const std::vector<std::string>& args);
  // Bytes queued for a client outside its own commands (Pub/Sub messages), drained.
  std::string TakeOutput(size_t client);

  // Stores a list holding one element "x" at `key` (WRONGTYPE paths of other families).
  void InsertListForTest(const std::string& key, int db = 0);

  ManualClock& clock() { return clock_; }
  engine::Keyspace& keyspace() { return *keyspace_; }
  ServerState& state() { return *state_; }
  ServerConfig& config() { return config_; }
  Client& client(size_t index);

 private:
  ManualClock clock_;
  ServerConfig config_;
  ParameterTable parameters_;
  std::unique_ptr<engine::Keyspace> keyspace_;
  CommandTable table_;
  std::unique_ptr<ServerState> state_;
  std::vector<std::unique_ptr<Client>> clients_;
  size_t used_memory_ = 0;
};

}  // namespace cairn::commands
