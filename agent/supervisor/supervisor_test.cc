// Supervisor against real redis-server processes in a temp directory.
#include "agent/supervisor/supervisor.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
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

TEST_F(SupervisorTest, StartsRestartsAdoptsAndStopsANode) {
  int port = FreePort();
  v1::TaskResult started = supervisor_->Execute(StartTask("demo-0001-001", port));
  ASSERT_TRUE(started.ok()) << started.reason() << ": " << started.message();
  EXPECT_EQ(started.task_id(), "start-demo-0001-001");
  EXPECT_EQ(started.node().state(), v1::NODE_STATE_RUNNING);
  EXPECT_EQ(started.node().role(), "primary");
  pid_t first = started.node().pid();
  EXPECT_FALSE(PortIsFree(port));

  // Idempotent: the same task again changes nothing.
  EXPECT_EQ(supervisor_->Execute(StartTask("demo-0001-001", port)).node().pid(), first);

  kill(first, SIGKILL);
  ASSERT_TRUE(PollUntil([&] {
    v1::NodeStatus s = Status("demo-0001-001");
    return s.state() == v1::NODE_STATE_RUNNING && s.pid() != first && s.pid() > 0;
  }));
  v1::NodeStatus restarted = Status("demo-0001-001");
  EXPECT_EQ(restarted.restart_count(), 1);
  EXPECT_EQ(restarted.last_exit_reason().rfind("exited 137, retry in ", 0), 0u)
      << restarted.last_exit_reason();

  // A new supervisor over the same directory adopts the running process.
  supervisor_->Shutdown(/*stop_nodes=*/false);
  supervisor_ = Make();
  ASSERT_TRUE(supervisor_->Start().ok());
  EXPECT_EQ(Status("demo-0001-001").pid(), restarted.pid());
  EXPECT_EQ(Status("demo-0001-001").state(), v1::NODE_STATE_RUNNING);

  v1::Task stop;
  stop.set_id("stop-1");
  stop.mutable_stop_node()->set_node_id("demo-0001-001");
  EXPECT_TRUE(supervisor_->Execute(stop).ok());
  EXPECT_TRUE(PortIsFree(port));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "nodes" / "demo-0001-001"));
  EXPECT_TRUE(supervisor_->Execute(stop).ok());  // idempotent
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
}

}  // namespace
}  // namespace cairn::agent
