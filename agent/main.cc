// cairn-agent: joins the control plane once, then supervises this host's nodes and keeps a
// Session open (docs/agent.md). Thin: flags, credentials, wiring, signals.
#include <arpa/inet.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "agent/link/join.h"
#include "agent/link/session_link.h"
#include "agent/supervisor/engines.h"
#include "agent/supervisor/supervisor.h"
#include "dataplane/base/logging.h"

namespace {

using namespace cairn;
using namespace cairn::agent;

struct Flags {
  std::string control_plane, join_token, data_dir, zone = "default", host_id, advertise_addr;
  std::string node_ports = "7000-7999", engine_dir, log_level = "info", backup_dir;
  int64_t memory_mb = 0;
  bool stop_nodes_on_exit = false;
};

int64_t TotalMemoryMb() {
  std::ifstream in("/proc/meminfo");
  std::string name;
  int64_t kb = 0;
  while (in >> name >> kb) {
    if (name == "MemTotal:") {
      return kb / 1024;
    }
    in.ignore(1 << 10, '\n');
  }
  return 0;
}

std::string DefaultHostId() {
  char buf[256] = {};
  gethostname(buf, sizeof(buf) - 1);
  std::string out;
  for (char c : std::string(buf)) {
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
  }
  return out.empty() ? "host" : out;
}

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

// Nodes listen on the advertise address plus loopback (local clients, redis-cli -p), or on every
// address when the advertise address is a name.
std::string NodeBind(const std::string& advertise) {
  if (advertise.empty() || !IsIp(advertise)) {
    return "0.0.0.0";
  }
  return advertise == "127.0.0.1" ? advertise : advertise + " 127.0.0.1";
}

Result<std::pair<int, int>> ParsePorts(const std::string& text) {
  int from = 0, to = 0;
  char dash = 0;
  std::istringstream in(text);
  if (!(in >> from >> dash >> to) || dash != '-' || !in.eof() || from < 1 || to > 65535 ||
      from > to) {
    return Status::InvalidArgument("--node-ports: expected FROM-TO within 1-65535, got '" + text +
                                   "'");
  }
  return std::make_pair(from, to);
}

// Loads the credentials, or joins with the token and saves them. Exits the process on failure.
Result<AgentCredentials> Credentials(const Flags& flags) {
  Result<AgentCredentials> creds = LoadCredentials(flags.data_dir);
  if (creds.ok() || creds.status().code() != StatusCode::kNotFound) {
    return creds;
  }
  if (flags.join_token.empty()) {
    return Status::FailedPrecondition(
        "not joined yet: pass --join-token (from `cairnctl host "
        "join-token`)");
  }
  for (int attempt = 1;; ++attempt) {
    Result<AgentCredentials> joined =
        Join(flags.control_plane, flags.join_token, flags.host_id, std::chrono::seconds(10));
    if (joined.ok()) {
      CAIRN_RETURN_IF_ERROR(SaveCredentials(flags.data_dir, *joined));
      spdlog::info("joined the control plane host_id={}", flags.host_id);
      return joined;
    }
    if (joined.status().code() != StatusCode::kUnavailable || attempt >= 30) {
      return joined.status();
    }
    spdlog::warn("join attempt {} failed: {}; retrying", attempt, joined.status().message());
    std::this_thread::sleep_for(std::chrono::seconds(1));  // control plane still starting
  }
}

v1::HostFacts Facts(const Flags& flags, const std::vector<Engine>& engines,
                    std::pair<int, int> ports) {
  v1::HostFacts facts;
  facts.set_host_id(flags.host_id);
  facts.set_zone(flags.zone);
  facts.set_advertise_addr(flags.advertise_addr);
  facts.set_memory_bytes(flags.memory_mb * 1024 * 1024);
  facts.set_node_port_from(ports.first);
  facts.set_node_port_to(ports.second);
  facts.set_agent_version(CAIRN_AGENT_VERSION);
  for (const Engine& e : engines) {
    v1::EngineInfo* info = facts.add_engines();
    info->set_engine(e.name);
    info->set_version(e.version);
    info->set_path(e.path.string());
  }
  return facts;
}

int Run(Flags flags) {
  std::error_code ec;
  std::filesystem::create_directories(flags.data_dir, ec);
  flags.data_dir = std::filesystem::absolute(flags.data_dir, ec).string();
  Result<std::pair<int, int>> ports = ParsePorts(flags.node_ports);
  if (!ports.ok()) {
    spdlog::error("{}", ports.status().message());
    return 2;
  }
  Result<AgentCredentials> creds = Credentials(flags);
  if (!creds.ok()) {
    spdlog::error("{}", creds.status().message());
    return 1;
  }
  std::string cert_host = CertificateCommonName(creds->cert_pem);
  if (cert_host != flags.host_id) {
    spdlog::error("--host-id {} differs from the host id {} this data dir joined as", flags.host_id,
                  cert_host);
    return 2;
  }
  std::vector<Engine> engines = FindEngines(flags.engine_dir);
  for (const Engine& e : engines) {
    spdlog::info("engine found engine={} version={} path={}", e.name, e.version, e.path.string());
  }
  SupervisorOptions sup;
  sup.nodes_dir = std::filesystem::path(flags.data_dir) / "nodes";
  sup.bind = NodeBind(flags.advertise_addr);
  sup.port_from = ports->first;
  sup.port_to = ports->second;
  sup.engines = engines;
  if (!flags.backup_dir.empty()) {
    auto store = controlplane::DirectoryBackupStore::Open(flags.backup_dir);
    if (!store.ok()) {
      spdlog::error("--backup-dir: {}", store.status().message());
      return 2;
    }
    spdlog::info("backup store dir={}", (*store)->root().string());
    sup.backup_store = std::move(*store);
  }
  Supervisor supervisor(sup);
  if (Status started = supervisor.Start(); !started.ok()) {
    spdlog::error("{}", started.message());
    return 1;
  }
  SessionLink link({flags.control_plane, *creds, Facts(flags, engines, *ports)}, supervisor);
  std::thread signals([&] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    spdlog::info("signal {} received, exiting", sig);
    link.Stop();
  });
  link.Run();
  supervisor.Shutdown(flags.stop_nodes_on_exit);
  signals.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{"cairn-agent: runs this host's cache nodes for the Cairn control plane"};
  app.add_option("--control-plane", flags.control_plane, "AgentHub address host:port")->required();
  app.add_option("--join-token", flags.join_token, "one-time token (first start only)");
  app.add_option("--data-dir", flags.data_dir, "credentials and node directories")->required();
  app.add_option("--zone", flags.zone, "availability zone of this host");
  app.add_option("--host-id", flags.host_id, "host id (default: hostname)");
  app.add_option("--advertise-addr", flags.advertise_addr, "address clients reach nodes at")
      ->default_val("127.0.0.1");
  app.add_option("--node-ports", flags.node_ports, "node port range FROM-TO");
  app.add_option("--memory-mb", flags.memory_mb, "memory offered to nodes, MiB (default: all)");
  app.add_option("--engine-dir", flags.engine_dir, "directory holding cairn-server");
  app.add_option("--backup-dir", flags.backup_dir,
                 "backup store directory shared with the control plane (snapshots, seeds)");
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error");
  app.add_flag("--stop-nodes-on-exit", flags.stop_nodes_on_exit,
               "stop every node on SIGINT/SIGTERM (dev mode)");
  CLI11_PARSE(app, argc, argv);
  if (Status logging = SetUpLogging("cairn-agent", flags.log_level, ""); !logging.ok()) {
    std::fprintf(stderr, "cairn-agent: %s\n", std::string(logging.message()).c_str());
    return 2;
  }
  if (flags.host_id.empty()) {
    flags.host_id = DefaultHostId();
  }
  if (flags.memory_mb <= 0) {
    flags.memory_mb = TotalMemoryMb();
  }
  if (flags.engine_dir.empty()) {
    std::error_code ec;
    flags.engine_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path().string();
  }
  // Signals go to the signal thread only; threads created from here on inherit the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return Run(flags);
}
