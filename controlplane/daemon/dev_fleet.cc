// Dev fleet processes.
#include "controlplane/daemon/dev_fleet.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include <spdlog/spdlog.h>

extern char** environ;

namespace cairn::controlplane {
namespace {

constexpr int64_t kJoinTokenTtlMs = 10 * 60 * 1000;

Result<pid_t> Spawn(const std::vector<std::string>& args, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> argv;
  for (const std::string& a : args) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Status::Unavailable("cannot start " + args[0] + ": " + std::strerror(rc));
  }
  return pid;
}

// The pid in `dir`/agent.pid when that process is still a cairn-agent for `dir`, else -1. A
// control plane restarted after a crash finds its agents still running and keeps them.
pid_t RunningAgent(const std::filesystem::path& dir) {
  std::ifstream in(dir / "agent.pid");
  pid_t pid = -1;
  if (!(in >> pid) || pid <= 0 || kill(pid, 0) != 0) {
    return -1;
  }
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  bool ours =
      args.find("cairn-agent") != std::string::npos && args.find(dir.string()) != std::string::npos;
  return ours ? pid : -1;
}

}  // namespace

Status DevFleet::Start(ControlPlane& control_plane, const std::filesystem::path& data_dir) {
  if (options_.hosts < 1 || options_.hosts > 26) {
    return Status::InvalidArgument("--dev-hosts: must be between 1 and 26");
  }
  for (int i = 0; i < options_.hosts; ++i) {
    std::string zone(1, static_cast<char>('a' + i));
    std::string host_id = "host-" + zone;
    std::filesystem::path dir = data_dir / "hosts" / host_id;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (pid_t running = RunningAgent(dir); running > 0) {
      spdlog::info("dev host {}: agent pid {} still runs; keeping it", host_id, running);
      children_.push_back({host_id, running, false});
      continue;
    }
    int from = options_.node_port_base + 100 * i;
    std::vector<std::string> args = {options_.agent_binary.string(),
                                     "--control-plane",
                                     control_plane.addresses().agent_addr,
                                     "--data-dir",
                                     dir.string(),
                                     "--zone",
                                     zone,
                                     "--host-id",
                                     host_id,
                                     "--advertise-addr",
                                     "127.0.0.1",
                                     "--node-ports",
                                     std::to_string(from) + "-" + std::to_string(from + 99),
                                     "--memory-mb",
                                     std::to_string(options_.memory_mb_per_host),
                                     "--backup-dir",
                                     control_plane.backup_dir().string(),
                                     "--stop-nodes-on-exit"};
    if (!std::filesystem::exists(dir / "agent.crt")) {
      Result<std::string> token = control_plane.CreateJoinToken(kJoinTokenTtlMs);
      CAIRN_RETURN_IF_ERROR(token.status());
      args.push_back("--join-token");
      args.push_back(*token);
    }
    Result<pid_t> pid = Spawn(args, dir / "agent.log");
    CAIRN_RETURN_IF_ERROR(pid.status());
    children_.push_back({host_id, *pid, true});
    std::ofstream(dir / "agent.pid") << *pid << "\n";
  }
  return Status::Ok();
}

void DevFleet::Stop() {
  for (const Child& c : children_) {
    kill(c.pid, SIGTERM);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (const Child& c : children_) {
    for (;;) {
      int status = 0;
      bool gone = c.child ? waitpid(c.pid, &status, WNOHANG) != 0 : kill(c.pid, 0) != 0;
      if (gone) {
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        spdlog::warn("agent {} did not stop in 15 s; killing it", c.host_id);
        kill(c.pid, SIGKILL);
        if (c.child) {
          waitpid(c.pid, &status, 0);
        }
        break;
      }
      // Waiting for a child to exit: there is no fd to poll for a non-child-reaper.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  children_.clear();
}

std::vector<std::string> DevFleet::host_ids() const {
  std::vector<std::string> ids;
  for (const Child& c : children_) {
    ids.push_back(c.host_id);
  }
  return ids;
}

}  // namespace cairn::controlplane
