// Supervisor against real redis-server processes in a temp directory.
#include "agent/supervisor/supervisor.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "agent/supervisor/node_client.h"

namespace cairn::agent {
namespace {

using std::chrono::milliseconds;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

template <typename F>
bool PollUntil(F predicate, milliseconds timeout = milliseconds(10000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  return false;
}

class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/cairn-sup-XXXXXX";
    dir_ = mkdtemp(tmpl.data());
    engines_ = FindEngines("/nonexistent");
    ASSERT_NE(FindEngine(engines_, "redis"), nullptr);
    supervisor_ = Make();
    ASSERT_TRUE(supervisor_->Start().ok());
  }
  void TearDown() override {
    supervisor_->Shutdown(/*stop_nodes=*/true);
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Supervisor> Make() {
    SupervisorOptions options;
    options.nodes_dir = dir_ / "nodes";
    options.bind = "127.0.0.1";
    options.port_from = 1024;
    options.port_to = 65535;
    options.engines = engines_;
    auto store = controlplane::DirectoryBackupStore::Open(dir_ / "backups");
    EXPECT_TRUE(store.ok());
    options.backup_store = std::move(*store);
    return std::make_unique<Supervisor>(options);
  }

  v1::Task StartTask(const std::string& id, int port) {
    v1::Task task;
    task.set_id("start-" + id);
    v1::NodeSpec* spec = task.mutable_start_node()->mutable_spec();
    spec->set_node_id(id);
    spec->set_engine("redis");
    spec->set_port(port);
    spec->set_maxmemory_bytes(64 << 20);
    spec->set_auth_token("pa ss");
    spec->set_generation(1);
    return task;
  }

  v1::NodeStatus Status(const std::string& id) {
    for (const v1::NodeStatus& s : supervisor_->Statuses()) {
      if (s.node_id() == id) {
        return s;
      }
    }
    return {};
  }

  std::filesystem::path dir_;
  std::vector<Engine> engines_;
  std::unique_ptr<Supervisor> supervisor_;
};

TEST_F(SupervisorTest, StartsHoldsCrashedPrimaryAdoptsAndStopsANode) {
  int port = FreePort();
  v1::TaskResult started = supervisor_->Execute(StartTask("demo-0001-001", port));
  ASSERT_TRUE(started.ok()) << started.reason() << ": " << started.message();
  EXPECT_EQ(started.task_id(), "start-demo-0001-001");
  EXPECT_EQ(started.node().state(), v1::NODE_STATE_RUNNING);
  EXPECT_EQ(started.node().role(), "primary");
  EXPECT_FALSE(started.node().held());
  pid_t first = started.node().pid();
  EXPECT_FALSE(PortIsFree(port));

  // Idempotent: the same task again changes nothing.
  EXPECT_EQ(supervisor_->Execute(StartTask("demo-0001-001", port)).node().pid(), first);

  // Fencing: a crashed primary is held, not restarted.
  kill(first, SIGKILL);
  ASSERT_TRUE(PollUntil([&] { return Status("demo-0001-001").held(); }));
  v1::NodeStatus held = Status("demo-0001-001");
  EXPECT_EQ(held.state(), v1::NODE_STATE_CRASHED);
  EXPECT_EQ(held.pid(), 0);
  EXPECT_EQ(held.last_exit_reason(), "exited 137; primary held for the control plane");
  EXPECT_TRUE(std::filesystem::exists(dir_ / "nodes" / "demo-0001-001" / "held"));
  std::this_thread::sleep_for(milliseconds(1500));  // longer than the first restart delay
  EXPECT_EQ(Status("demo-0001-001").pid(), 0);
  EXPECT_TRUE(PortIsFree(port));

  // A new supervisor over the same directory keeps holding it.
  supervisor_->Shutdown(/*stop_nodes=*/false);
  supervisor_ = Make();
  ASSERT_TRUE(supervisor_->Start().ok());
  EXPECT_TRUE(Status("demo-0001-001").held());
  EXPECT_EQ(Status("demo-0001-001").pid(), 0);

  // Only a task starts it again.
  v1::TaskResult again = supervisor_->Execute(StartTask("demo-0001-001", port));
  ASSERT_TRUE(again.ok()) << again.reason() << ": " << again.message();
  EXPECT_FALSE(again.node().held());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "nodes" / "demo-0001-001" / "held"));
  pid_t second = again.node().pid();
  EXPECT_NE(second, first);

  // A new supervisor over the same directory adopts the running process.
  supervisor_->Shutdown(/*stop_nodes=*/false);
  supervisor_ = Make();
  ASSERT_TRUE(supervisor_->Start().ok());
  EXPECT_EQ(Status("demo-0001-001").pid(), second);
  EXPECT_EQ(Status("demo-0001-001").state(), v1::NODE_STATE_RUNNING);

  // An adopted primary that dies is held too.
  kill(second, SIGKILL);
  ASSERT_TRUE(PollUntil([&] { return Status("demo-0001-001").held(); }));
  EXPECT_EQ(Status("demo-0001-001").last_exit_reason(),
            "exited; primary held for the control plane");

  v1::Task stop;
  stop.set_id("stop-1");
  stop.mutable_stop_node()->set_node_id("demo-0001-001");
  EXPECT_TRUE(supervisor_->Execute(stop).ok());
  EXPECT_TRUE(PollUntil([&] { return PortIsFree(port); }));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "nodes" / "demo-0001-001"));
  EXPECT_TRUE(supervisor_->Execute(stop).ok());  // idempotent
}

TEST_F(SupervisorTest, PrimaryDeadWhileTheAgentWasAwayIsHeldButACleanStopIsNot) {
  int port = FreePort();
  ASSERT_TRUE(supervisor_->Execute(StartTask("a-0001-001", port)).ok());
  pid_t pid = Status("a-0001-001").pid();
  supervisor_->Shutdown(/*stop_nodes=*/false);
  kill(pid, SIGKILL);
  ASSERT_TRUE(PollUntil([&] { return PortIsFree(port); }));
  supervisor_ = Make();
  ASSERT_TRUE(supervisor_->Start().ok());
  EXPECT_TRUE(Status("a-0001-001").held());
  EXPECT_EQ(Status("a-0001-001").last_exit_reason(),
            "not running when the agent started; primary held for the control plane");
  // Released, then stopped with the agent on purpose: started again at the next start.
  ASSERT_TRUE(supervisor_->Execute(StartTask("a-0001-001", port)).ok());
  supervisor_->Shutdown(/*stop_nodes=*/true);
  supervisor_ = Make();
  ASSERT_TRUE(supervisor_->Start().ok());
  EXPECT_FALSE(Status("a-0001-001").held());
  ASSERT_TRUE(PollUntil([&] { return Status("a-0001-001").state() == v1::NODE_STATE_RUNNING; }));
}

TEST_F(SupervisorTest, CrashedReplicaRestartsAndReportsItsPrimary) {
  int p1 = FreePort(), p2 = FreePort();
  ASSERT_TRUE(supervisor_->Execute(StartTask("r-0001-001", p1)).ok());
  v1::Task replica = StartTask("r-0001-002", p2);
  replica.mutable_start_node()->mutable_spec()->set_replicaof_host("127.0.0.1");
  replica.mutable_start_node()->mutable_spec()->set_replicaof_port(p1);
  v1::TaskResult started = supervisor_->Execute(replica);
  ASSERT_TRUE(started.ok()) << started.reason() << ": " << started.message();
  ASSERT_TRUE(PollUntil([&] { return Status("r-0001-002").primary_reachable(); }));
  EXPECT_EQ(Status("r-0001-002").primary_unreachable_ms(), 0);
  EXPECT_FALSE(Status("r-0001-001").primary_reachable());  // primaries have no primary

  pid_t first = started.node().pid();
  kill(first, SIGKILL);
  ASSERT_TRUE(PollUntil([&] {
    v1::NodeStatus s = Status("r-0001-002");
    return s.state() == v1::NODE_STATE_RUNNING && s.pid() != first && s.pid() > 0;
  }));
  v1::NodeStatus restarted = Status("r-0001-002");
  EXPECT_FALSE(restarted.held());
  EXPECT_EQ(restarted.restart_count(), 1);
  EXPECT_EQ(restarted.last_exit_reason().rfind("exited 137, retry in ", 0), 0u)
      << restarted.last_exit_reason();

  // The primary dies: held, and the replica's probes fail with a growing streak.
  kill(Status("r-0001-001").pid(), SIGKILL);
  ASSERT_TRUE(PollUntil([&] { return !Status("r-0001-002").primary_reachable(); }));
  ASSERT_TRUE(PollUntil([&] { return Status("r-0001-002").primary_unreachable_ms() >= 600; }));
  EXPECT_TRUE(Status("r-0001-001").held());
}

TEST_F(SupervisorTest, ChangeListenerFiresOnACrash) {
  int port = FreePort();
  ASSERT_TRUE(supervisor_->Execute(StartTask("l-0001-001", port)).ok());
  std::mutex mu;
  std::vector<std::chrono::steady_clock::time_point> calls;
  supervisor_->SetChangeListener([&] {
    std::lock_guard<std::mutex> lock(mu);
    calls.push_back(std::chrono::steady_clock::now());
  });
  ASSERT_TRUE(PollUntil([&] { return Status("l-0001-001").state() == v1::NODE_STATE_RUNNING; }));
  std::this_thread::sleep_for(milliseconds(500));  // let earlier changes be published
  size_t before = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    before = calls.size();
  }
  auto killed_at = std::chrono::steady_clock::now();
  kill(Status("l-0001-001").pid(), SIGKILL);
  ASSERT_TRUE(PollUntil([&] {
    std::lock_guard<std::mutex> lock(mu);
    return calls.size() > before;
  }));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_LT(calls[before] - killed_at, milliseconds(450));
  supervisor_->SetChangeListener(nullptr);
}

TEST(FencingTest, HoldsPrimariesBySpecOrObservedRole) {
  v1::NodeSpec spec;
  EXPECT_TRUE(HoldOnExit(spec, ""));
  EXPECT_TRUE(HoldOnExit(spec, "replica"));
  spec.set_replicaof_host("10.0.0.1");
  spec.set_replicaof_port(7000);
  EXPECT_FALSE(HoldOnExit(spec, "replica"));
  EXPECT_FALSE(HoldOnExit(spec, ""));
  EXPECT_TRUE(HoldOnExit(spec, "primary"));  // promoted by FAILOVER, spec not yet updated
}

TEST(ChangeKeyTest, IgnoresOffsetsAndMemory) {
  v1::NodeStatus a;
  a.set_state(v1::NODE_STATE_RUNNING);
  a.set_role("replica");
  v1::NodeStatus b = a;
  b.set_replication_offset(100);
  b.set_used_memory_bytes(5);
  b.set_primary_unreachable_ms(300);
  EXPECT_EQ(ChangeKey(a), ChangeKey(b));
  for (auto change : std::vector<std::function<void(v1::NodeStatus&)>>{
           [](v1::NodeStatus& s) { s.set_state(v1::NODE_STATE_CRASHED); },
           [](v1::NodeStatus& s) { s.set_role("primary"); },
           [](v1::NodeStatus& s) { s.set_link_status("up"); },
           [](v1::NodeStatus& s) { s.set_replicaof("h:1"); },
           [](v1::NodeStatus& s) { s.set_held(true); },
           [](v1::NodeStatus& s) { s.set_primary_reachable(true); }}) {
    v1::NodeStatus c = a;
    change(c);
    EXPECT_NE(ChangeKey(a), ChangeKey(c));
  }
}

TEST_F(SupervisorTest, ConfigureWiresReplicationLive) {
  int p1 = FreePort(), p2 = FreePort();
  ASSERT_TRUE(supervisor_->Execute(StartTask("r-0001-001", p1)).ok());
  v1::Task replica = StartTask("r-0001-002", p2);
  ASSERT_TRUE(supervisor_->Execute(replica).ok());
  pid_t pid = Status("r-0001-002").pid();
  v1::Task configure;
  configure.set_id("cfg");
  *configure.mutable_configure_node()->mutable_spec() = replica.start_node().spec();
  configure.mutable_configure_node()->mutable_spec()->set_replicaof_host("127.0.0.1");
  configure.mutable_configure_node()->mutable_spec()->set_replicaof_port(p1);
  configure.mutable_configure_node()->mutable_spec()->set_maxmemory_policy("allkeys-lru");
  v1::TaskResult result = supervisor_->Execute(configure);
  ASSERT_TRUE(result.ok()) << result.reason() << ": " << result.message();
  EXPECT_EQ(Status("r-0001-002").pid(), pid);  // applied live, no restart
  ASSERT_TRUE(PollUntil([&] {
    v1::NodeStatus s = Status("r-0001-002");
    return s.role() == "replica" && s.link_status() == "up";
  }));
  EXPECT_EQ(Status("r-0001-002").replicaof(), "127.0.0.1:" + std::to_string(p1));
  // The rewritten config keeps the change for a restart.
  std::ifstream in(dir_ / "nodes" / "r-0001-002" / "node.conf");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("replicaof 127.0.0.1 " + std::to_string(p1)), std::string::npos);
  EXPECT_NE(text.find("maxmemory-policy allkeys-lru"), std::string::npos);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Runs one command on a node over its socket (auth "pa ss").
std::string NodeCommand(const std::filesystem::path& dir, const std::string& id,
                        const std::vector<std::string>& args) {
  auto client = NodeClient::Connect(dir / "nodes" / id / "node.sock", "pa ss", milliseconds(2000));
  if (!client.ok()) {
    return "connect: " + std::string(client.status().message());
  }
  Result<std::string> reply = (*client)->Command(args);
  return reply.ok() ? *reply : "error: " + std::string(reply.status().message());
}

std::string Role(const std::filesystem::path& dir, const std::string& id) {
  return ParseInfo(NodeCommand(dir, id, {"INFO", "replication"}))["role"];
}

class ReplicatedPairTest : public SupervisorTest {
 protected:
  // r-0001-001 primary on p1_, r-0001-002 its replica on p2_ with the link up.
  void SetUp() override {
    SupervisorTest::SetUp();
    p1_ = FreePort();
    p2_ = FreePort();
    ASSERT_TRUE(supervisor_->Execute(StartTask("r-0001-001", p1_)).ok());
    v1::Task replica = StartTask("r-0001-002", p2_);
    replica.mutable_start_node()->mutable_spec()->set_replicaof_host("127.0.0.1");
    replica.mutable_start_node()->mutable_spec()->set_replicaof_port(p1_);
    replica_spec_ = replica.start_node().spec();
    ASSERT_TRUE(supervisor_->Execute(replica).ok());
    ASSERT_TRUE(PollUntil([&] { return Status("r-0001-002").link_status() == "up"; }));
    // FAILOVER needs the primary's side to see the replica online too (after its first ACK).
    ASSERT_TRUE(PollUntil([&] {
      return NodeCommand(dir_, "r-0001-001", {"INFO", "replication"}).find("state=online") !=
             std::string::npos;
    }));
  }

  v1::Task Failover(const std::string& id, int target_port) {
    v1::Task task;
    task.set_id("failover-" + id);
    task.mutable_failover_node()->set_node_id(id);
    task.mutable_failover_node()->set_target_host("127.0.0.1");
    task.mutable_failover_node()->set_target_port(target_port);
    task.mutable_failover_node()->set_timeout_ms(15000);  // generous: CI machines are loaded
    return task;
  }

  int p1_ = 0, p2_ = 0;
  v1::NodeSpec replica_spec_;
};

TEST_F(ReplicatedPairTest, FailoverSwapsRolesKeepsDataAndRewritesConfig) {
  ASSERT_EQ(NodeCommand(dir_, "r-0001-001", {"SET", "k", "before-failover"}), "OK");
  v1::TaskResult result = supervisor_->Execute(Failover("r-0001-001", p2_));
  ASSERT_TRUE(result.ok()) << result.reason() << ": " << result.message();
  EXPECT_EQ(result.node().role(), "replica");
  EXPECT_EQ(result.node().replicaof(), "127.0.0.1:" + std::to_string(p2_));
  EXPECT_EQ(Role(dir_, "r-0001-002"), "master");
  EXPECT_EQ(NodeCommand(dir_, "r-0001-002", {"GET", "k"}), "before-failover");
  std::string conf = ReadFile(dir_ / "nodes" / "r-0001-001" / "node.conf");
  EXPECT_NE(conf.find("replicaof 127.0.0.1 " + std::to_string(p2_)), std::string::npos);
  EXPECT_NE(conf.find("masterauth"), std::string::npos);
  // Re-sent: answered ok without a second FAILOVER.
  EXPECT_TRUE(supervisor_->Execute(Failover("r-0001-001", p2_)).ok());

  // The old primary is a replica now: a crash restarts it (as a replica of the new primary).
  pid_t old_pid = Status("r-0001-001").pid();
  kill(old_pid, SIGKILL);
  ASSERT_TRUE(PollUntil([&] {
    v1::NodeStatus s = Status("r-0001-001");
    return s.pid() > 0 && s.pid() != old_pid && s.state() == v1::NODE_STATE_RUNNING &&
           s.link_status() == "up";
  }));
  EXPECT_FALSE(Status("r-0001-001").held());
  EXPECT_EQ(NodeCommand(dir_, "r-0001-001", {"GET", "k"}), "before-failover");

  // The new primary still has a replica spec, but the engine says primary: a crash holds it.
  ASSERT_TRUE(PollUntil([&] { return Status("r-0001-002").role() == "primary"; }));
  kill(Status("r-0001-002").pid(), SIGKILL);
  ASSERT_TRUE(PollUntil([&] { return Status("r-0001-002").held(); }));
}

TEST_F(ReplicatedPairTest, FailoverRefusals) {
  v1::TaskResult result = supervisor_->Execute(Failover("r-0001-009", p2_));
  EXPECT_EQ(result.reason(), "NodeNotFound");
  result = supervisor_->Execute(Failover("r-0001-002", FreePort()));  // a replica
  EXPECT_EQ(result.reason(), "FailoverFailed");
  EXPECT_NE(result.message().find("is a replica"), std::string::npos) << result.message();
  result = supervisor_->Execute(Failover("r-0001-001", FreePort()));  // not its replica
  EXPECT_EQ(result.reason(), "FailoverFailed");
  EXPECT_NE(result.message().find("ERR"), std::string::npos) << result.message();
  EXPECT_EQ(Role(dir_, "r-0001-001"), "master");
  v1::Task bad = Failover("r-0001-001", 0);
  EXPECT_EQ(supervisor_->Execute(bad).reason(), "InvalidSpec");
}

TEST_F(ReplicatedPairTest, ConfigureSwitchesRolesBothWaysLive) {
  ASSERT_EQ(NodeCommand(dir_, "r-0001-001", {"SET", "k", "v"}), "OK");
  ASSERT_TRUE(PollUntil([&] { return NodeCommand(dir_, "r-0001-002", {"GET", "k"}) == "v"; }));
  pid_t pid1 = Status("r-0001-001").pid(), pid2 = Status("r-0001-002").pid();
  // Promote the replica: REPLICAOF NO ONE, config without replicaof.
  v1::Task promote;
  promote.set_id("promote");
  *promote.mutable_configure_node()->mutable_spec() = replica_spec_;
  promote.mutable_configure_node()->mutable_spec()->clear_replicaof_host();
  promote.mutable_configure_node()->mutable_spec()->clear_replicaof_port();
  promote.mutable_configure_node()->mutable_spec()->set_generation(2);
  v1::TaskResult result = supervisor_->Execute(promote);
  ASSERT_TRUE(result.ok()) << result.reason() << ": " << result.message();
  EXPECT_EQ(Role(dir_, "r-0001-002"), "master");
  EXPECT_EQ(ReadFile(dir_ / "nodes" / "r-0001-002" / "node.conf").find("replicaof"),
            std::string::npos);
  // Demote the old primary: masterauth, then REPLICAOF.
  v1::Task demote = StartTask("r-0001-001", p1_);
  demote.set_id("demote");
  v1::NodeSpec spec = demote.start_node().spec();
  spec.set_replicaof_host("127.0.0.1");
  spec.set_replicaof_port(p2_);
  spec.set_generation(2);
  demote.clear_start_node();
  *demote.mutable_configure_node()->mutable_spec() = spec;
  result = supervisor_->Execute(demote);
  ASSERT_TRUE(result.ok()) << result.reason() << ": " << result.message();
  ASSERT_TRUE(PollUntil([&] { return Status("r-0001-001").link_status() == "up"; }));
  EXPECT_EQ(Status("r-0001-001").replicaof(), "127.0.0.1:" + std::to_string(p2_));
  EXPECT_NE(ReadFile(dir_ / "nodes" / "r-0001-001" / "node.conf")
                .find("replicaof 127.0.0.1 " + std::to_string(p2_)),
            std::string::npos);
  EXPECT_EQ(NodeCommand(dir_, "r-0001-001", {"GET", "k"}), "v");
  EXPECT_EQ(Status("r-0001-001").pid(), pid1);  // both live, no restart
  EXPECT_EQ(Status("r-0001-002").pid(), pid2);
}

TEST_F(ReplicatedPairTest, HeldPrimaryComesBackAsAReplicaOfThePromotedOne) {
  ASSERT_EQ(NodeCommand(dir_, "r-0001-001", {"SET", "k", "v"}), "OK");
  ASSERT_TRUE(PollUntil([&] { return NodeCommand(dir_, "r-0001-002", {"GET", "k"}) == "v"; }));
  kill(Status("r-0001-001").pid(), SIGKILL);
  ASSERT_TRUE(PollUntil([&] { return Status("r-0001-001").held(); }));
  // What the control plane does: promote the replica, then repoint the held node at it.
  v1::Task promote;
  promote.set_id("promote");
  *promote.mutable_configure_node()->mutable_spec() = replica_spec_;
  promote.mutable_configure_node()->mutable_spec()->clear_replicaof_host();
  promote.mutable_configure_node()->mutable_spec()->clear_replicaof_port();
  ASSERT_TRUE(supervisor_->Execute(promote).ok());
  v1::Task repoint = StartTask("r-0001-001", p1_);
  v1::NodeSpec spec = repoint.start_node().spec();
  spec.set_replicaof_host("127.0.0.1");
  spec.set_replicaof_port(p2_);
  spec.set_generation(2);
  repoint.clear_start_node();
  *repoint.mutable_configure_node()->mutable_spec() = spec;
  v1::TaskResult result = supervisor_->Execute(repoint);
  ASSERT_TRUE(result.ok()) << result.reason() << ": " << result.message();
  EXPECT_FALSE(result.node().held());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "nodes" / "r-0001-001" / "held"));
  ASSERT_TRUE(PollUntil([&] {
    v1::NodeStatus s = Status("r-0001-001");
    return s.state() == v1::NODE_STATE_RUNNING && s.link_status() == "up";
  }));
  EXPECT_EQ(NodeCommand(dir_, "r-0001-001", {"GET", "k"}), "v");
}

TEST_F(SupervisorTest, RefusesBadSpecsWithReasons) {
  v1::Task task = StartTask("bad/../id", FreePort());
  EXPECT_EQ(supervisor_->Execute(task).reason(), "InvalidSpec");
  task = StartTask("x-1", FreePort());
  task.mutable_start_node()->mutable_spec()->set_engine("nosuch");
  EXPECT_EQ(supervisor_->Execute(task).reason(), "EngineNotFound");
  task = StartTask("x-1", 80);
  EXPECT_EQ(supervisor_->Execute(task).reason(), "PortOutOfRange");
  int port = FreePort();
  ASSERT_TRUE(supervisor_->Execute(StartTask("x-1", port)).ok());
  EXPECT_EQ(supervisor_->Execute(StartTask("x-2", port)).reason(), "PortInUse");
  v1::Task configure;
  configure.mutable_configure_node()->mutable_spec()->CopyFrom(
      StartTask("x-9", FreePort()).start_node().spec());
  EXPECT_EQ(supervisor_->Execute(configure).reason(), "NodeNotFound");
  task = StartTask("x-3", FreePort());
  (*task.mutable_start_node()->mutable_spec()->mutable_parameters())["dbfilename"] = "../x.rdb";
  EXPECT_EQ(supervisor_->Execute(task).reason(), "InvalidSpec");
  task = StartTask("x-3", FreePort());
  task.mutable_start_node()->mutable_spec()->mutable_seed()->set_key("snapshots/a.rdb");
  EXPECT_EQ(supervisor_->Execute(task).reason(), "InvalidSpec");  // no sha256
  v1::Task snapshot;
  snapshot.mutable_snapshot_node()->set_node_id("x-1");
  EXPECT_EQ(supervisor_->Execute(snapshot).reason(), "InvalidSpec");  // no key
}

v1::Task SnapshotTask(const std::string& id, const std::string& key) {
  v1::Task task;
  task.set_id("snapshot-" + id);
  task.mutable_snapshot_node()->set_node_id(id);
  task.mutable_snapshot_node()->set_key(key);
  return task;
}

TEST_F(SupervisorTest, SnapshotsANodeAndSeedsANewOneFromIt) {
  ASSERT_TRUE(supervisor_->Execute(StartTask("p-1", FreePort())).ok());
  ASSERT_EQ(NodeCommand(dir_, "p-1", {"SET", "k", "snapshotted"}), "OK");
  v1::TaskResult snap = supervisor_->Execute(SnapshotTask("p-1", "snapshots/p.rdb"));
  ASSERT_TRUE(snap.ok()) << snap.reason() << ": " << snap.message();
  EXPECT_EQ(snap.task_id(), "snapshot-p-1");
  EXPECT_EQ(snap.snapshot().key(), "snapshots/p.rdb");
  EXPECT_EQ(snap.snapshot().size_bytes(),
            static_cast<int64_t>(std::filesystem::file_size(dir_ / "backups/snapshots/p.rdb")));
  EXPECT_EQ(snap.snapshot().sha256().size(), 64u);

  v1::Task seeded = StartTask("p-2", FreePort());
  *seeded.mutable_start_node()->mutable_spec()->mutable_seed() = snap.snapshot();
  v1::TaskResult started = supervisor_->Execute(seeded);
  ASSERT_TRUE(started.ok()) << started.reason() << ": " << started.message();
  EXPECT_EQ(NodeCommand(dir_, "p-2", {"GET", "k"}), "snapshotted");

  // The stored file changed since: refused, and nothing is started or left behind.
  std::ofstream(dir_ / "backups/snapshots/p.rdb", std::ios::app) << "tampered";
  v1::Task corrupt = StartTask("p-3", FreePort());
  *corrupt.mutable_start_node()->mutable_spec()->mutable_seed() = snap.snapshot();
  v1::TaskResult refused = supervisor_->Execute(corrupt);
  EXPECT_EQ(refused.reason(), "SnapshotCorrupt") << refused.message();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "nodes" / "p-3"));
  EXPECT_EQ(Status("p-3").node_id(), "");

  v1::TaskResult unknown = supervisor_->Execute(SnapshotTask("p-9", "snapshots/q.rdb"));
  EXPECT_EQ(unknown.reason(), "SnapshotFailed");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "backups/snapshots/q.rdb"));
}

}  // namespace
}  // namespace cairn::agent
