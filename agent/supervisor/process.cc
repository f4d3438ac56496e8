// Process management with posix_spawn, waitpid and /proc.
#include "agent/supervisor/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "dataplane/base/strings.h"

extern char** environ;

namespace cairn::agent {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> CArgv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const std::string& arg : argv) {
    out.push_back(const_cast<char*>(arg.c_str()));
  }
  out.push_back(nullptr);
  return out;
}

// Spawn attributes shared by both spawners: default signals, empty mask (the agent blocks
// SIGINT/SIGTERM for its signal thread; children must not inherit that).
void InitAttributes(posix_spawnattr_t* attr, short extra_flags) {
  posix_spawnattr_init(attr);
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(attr, &empty);
  posix_spawnattr_setsigdefault(attr, &all);
  posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | extra_flags);
}

std::string ProcState(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() ? "" : stat.substr(paren + 2, 1);
}

}  // namespace

Result<pid_t> SpawnInSession(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                             const std::filesystem::path& log_path) {
  posix_spawnattr_t attr;
  InitAttributes(&attr, POSIX_SPAWN_SETSID);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  std::vector<char*> c_argv = CArgv(argv);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, c_argv[0], &actions, &attr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Status::Unavailable("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  return pid;
}

bool IsNodeProcess(pid_t pid, const std::filesystem::path& dir) {
  if (pid <= 0) {
    return false;
  }
  std::string state = ProcState(pid);
  if (state.empty() || state == "Z" || state == "X") {
    return false;
  }
  std::error_code ec;
  std::filesystem::path cwd =
      std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/cwd", ec);
  if (!ec && cwd == dir) {
    return true;
  }
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return cmdline.find(dir.string()) != std::string::npos;
}

std::optional<int> PollExit(pid_t pid, bool is_child, const std::filesystem::path& dir) {
  if (is_child) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      return status;
    }
    if (r < 0 && errno == ECHILD) {
      return -1;  // reaped elsewhere; exit status unknown
    }
    return std::nullopt;
  }
  return IsNodeProcess(pid, dir) ? std::nullopt : std::optional<int>(-1);
}

int TerminateProcess(pid_t pid, bool is_child, const std::filesystem::path& dir,
                     std::chrono::milliseconds grace) {
  kill(pid, SIGTERM);
  Clock::time_point kill_at = Clock::now() + grace;
  Clock::time_point give_up = kill_at + std::chrono::seconds(5);
  bool killed = false;
  while (true) {
    if (std::optional<int> status = PollExit(pid, is_child, dir)) {
      return *status;
    }
    if (!killed && Clock::now() >= kill_at) {
      kill(pid, SIGKILL);
      killed = true;
    }
    if (Clock::now() >= give_up) {
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling the exit
  }
}

Status WritePidFile(const std::filesystem::path& path, pid_t pid) {
  std::ofstream out(path, std::ios::trunc);
  out << pid << "\n";
  out.close();
  return out ? Status::Ok() : Status::Unavailable("cannot write " + path.string());
}

std::optional<pid_t> ReadPidFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) {
    return std::nullopt;
  }
  std::optional<int64_t> pid = ParseInt64(line);
  if (!pid || *pid <= 0 || *pid > INT32_MAX) {
    return std::nullopt;
  }
  return static_cast<pid_t>(*pid);
}

Result<std::string> RunAndCapture(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Status::Unavailable(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawnattr_t attr;
  InitAttributes(&attr, 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> c_argv = CArgv(argv);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, c_argv[0], &actions, &attr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return Status::Unavailable("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  std::string out;
  Clock::time_point deadline = Clock::now() + timeout;
  char buf[4096];
  while (Clock::now() < deadline) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) {
      continue;
    }
    ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n <= 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  kill(pid, SIGKILL);  // no-op when it already exited; a hung child must not outlive us
  waitpid(pid, nullptr, 0);
  return out;
}

}  // namespace cairn::agent
