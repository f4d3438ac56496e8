// In-process command harness for unit tests.
#include "dataplane/commands/command_harness.h"

#include <sys/uio.h>

#include "dataplane/commands/dispatch.h"
#include "dataplane/engine/types/list.h"

namespace cairn::commands {

void CommandHarness::InsertListForTest(const std::string& key, int db) {
  auto* list = new engine::ListValue(keyspace_->config().list_max_listpack_size);
  list->PushBack("x");
  keyspace_->db(db).Insert(engine::Entry::NewObject(key, engine::ValueType::kList,
                                                    engine::Encoding::kQuicklist, list, false, 0));
}

CommandHarness::CommandHarness() {
  keyspace_ = std::make_unique<engine::Keyspace>(engine::KeyspaceConfig{}, &clock_,
                                                 [this] { return used_memory_; });
  RegisterAllCommands(table_);
  state_ = std::make_unique<ServerState>(keyspace_.get(), &table_, &parameters_, &config_, &clock_);
  state_->close_client = [](Client* c) { c->set_flag(kClientCloseAsap); };
  keyspace_->set_observer(state_.get());
  client(0);
}

CommandHarness::~CommandHarness() {
  for (auto& c : clients_) {
    state_->RemoveClient(c.get());
  }
}

Client& CommandHarness::client(size_t index) {
  while (clients_.size() <= index) {
    auto c = std::make_unique<Client>(state_->NextClientId(), clock_.NowMs());
    c->addr = "127.0.0.1:" + std::to_string(40000 + clients_.size());
    c->laddr = "127.0.0.1:6379";
    c->authenticated = true;
    state_->AddClient(c.get());
    clients_.push_back(std::move(c));
  }
  return *clients_[index];
}

std::string CommandHarness::TakeOutput(size_t index) {
  Client& c = client(index);
  std::string out;
  struct iovec iov[64];
  while (!c.out().empty()) {
    int n = c.out().FillIovecs(iov, 64);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
      out.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
      total += iov[i].iov_len;
    }
    c.out().Consume(total);
  }
  c.pending_write = false;
  state_->pending_writes().clear();
  return out;
}

std::string CommandHarness::RunAs(size_t index, const std::vector<std::string>& args) {
  TakeOutput(index);
  std::vector<std::string_view> views(args.begin(), args.end());
  ProcessCommand(*state_, client(index), views);
  std::string out = TakeOutput(index);
  if (out.size() >= 2 && out.compare(out.size() - 2, 2, "\r\n") == 0) {
    out.resize(out.size() - 2);
  }
  return out;
}

std::string CommandHarness::Run(const std::vector<std::string>& args) {
  return RunAs(0, args);
}

}  // namespace cairn::commands
