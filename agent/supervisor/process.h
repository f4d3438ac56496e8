// Engine processes: spawn in their own session (they outlive the agent), identify them again
// after an agent restart, reap and signal them. Linux only (/proc).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/status.h"

namespace cairn::agent {

// Starts `argv` (argv[0] an absolute path) with posix_spawn: new session (setsid), working
// directory `dir`, stdin /dev/null, stdout+stderr appended to `log_path` (0600), default signal
// dispositions and an empty signal mask, no other inherited descriptors. Returns the pid.
// Unavailable with errno's text when it cannot be spawned.
Result<pid_t> SpawnInSession(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                             const std::filesystem::path& log_path);

// True when `pid` exists, is not a zombie, and runs in `dir` (its /proc/<pid>/cwd) or names
// `dir` on its command line: how an agent recognises its node after a restart (pids are reused).
bool IsNodeProcess(pid_t pid, const std::filesystem::path& dir);

// waitpid(pid, WNOHANG): the wait status once a child has exited, nullopt while it runs. For a
// process that is not our child (adopted), returns -1 once it is gone (IsNodeProcess false).
std::optional<int> PollExit(pid_t pid, bool is_child, const std::filesystem::path& dir);

// SIGTERM, then SIGKILL after `grace`; waits (polling) until the process is gone, at most
// grace + 5 s. Returns the wait status for a child, -1 otherwise.
int TerminateProcess(pid_t pid, bool is_child, const std::filesystem::path& dir,
                     std::chrono::milliseconds grace);

// Pid file helpers: text "<pid>\n". ReadPidFile returns nullopt for a missing or malformed file.
Status WritePidFile(const std::filesystem::path& path, pid_t pid);
std::optional<pid_t> ReadPidFile(const std::filesystem::path& path);

// Runs `argv` to completion (at most `timeout`, then SIGKILL) and returns its stdout.
Result<std::string> RunAndCapture(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout);

}  // namespace cairn::agent
