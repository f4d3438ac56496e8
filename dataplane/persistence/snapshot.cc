// Snapshot files and the forked saver. The child process only writes the file and exits with
// _exit, so no destructor or atexit handler of the parent runs twice.
#include "dataplane/persistence/snapshot.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "dataplane/base/strings.h"

namespace cairn::persistence {
namespace {

Status SysError(const std::string& what, const std::string& path) {
  return Status::Internal(what + " '" + path + "': " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return SysError("Failed writing the RDB file", path);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::string DirOf(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

Status WriteRdbFile(engine::Keyspace& keyspace, const RdbSaveInfo& info, const std::string& path) {
  std::string dir = DirOf(path);
  std::string temp = dir + "/temp-" + std::to_string(getpid()) + ".rdb";
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return SysError("Failed opening the temp RDB file", temp);
  }
  RdbWriter writer([fd, &temp](std::string_view b) { return WriteAll(fd, b, temp); },
                   info.compression);
  Status status = SaveRdb(keyspace, info, writer);
  if (status.ok() && fsync(fd) != 0) {
    status = SysError("Failed to fsync the RDB file", temp);
  }
  close(fd);
  if (status.ok() && rename(temp.c_str(), path.c_str()) != 0) {
    status = SysError("Failed renaming the temp RDB file to", path);
  }
  if (!status.ok()) {
    unlink(temp.c_str());
    return status;
  }
  // Make the rename itself durable.
  int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)fsync(dir_fd);  // best effort: some filesystems refuse fsync on directories
    close(dir_fd);
  }
  return Status::Ok();
}

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Status::NotFound(path);
    }
    return SysError("Failed opening", path);
  }
  std::string out;
  struct stat st {};
  if (fstat(fd, &st) == 0 && st.st_size > 0) {
    out.reserve(static_cast<size_t>(st.st_size));
  }
  char buf[64 * 1024];
  while (true) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      Status s = SysError("Failed reading", path);
      close(fd);
      return s;
    }
    if (n == 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

Result<RdbLoadInfo> LoadRdbFile(const std::string& path, engine::Keyspace& keyspace,
                                const RdbLoadOptions& options) {
  Result<std::string> data = ReadWholeFile(path);
  if (!data.ok()) {
    return data.status();
  }
  Result<RdbLoadInfo> info = LoadRdb(*data, keyspace, options);
  if (!info.ok()) {
    return Status::DataLoss("'" + path + "': " + std::string(info.status().message()));
  }
  return info;
}

Result<std::vector<SavePoint>> ParseSavePoints(std::string_view value) {
  std::vector<std::string> words;
  std::string word;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      if (!word.empty()) {
        words.push_back(std::move(word));
        word.clear();
      }
    } else {
      word += c;
    }
  }
  if (!word.empty()) {
    words.push_back(word);
  }
  if (words.size() == 1 && words[0] == "\"\"") {
    return std::vector<SavePoint>{};
  }
  if (words.size() % 2 != 0) {
    return Status::InvalidArgument("Invalid save parameters");
  }
  std::vector<SavePoint> points;
  for (size_t i = 0; i < words.size(); i += 2) {
    std::optional<int64_t> seconds = ParseInt64(words[i]);
    std::optional<int64_t> changes = ParseInt64(words[i + 1]);
    if (!seconds || !changes || *seconds < 1 || *changes < 0) {
      return Status::InvalidArgument("Invalid save parameters");
    }
    points.push_back({*seconds, *changes});
  }
  return points;
}

std::string FormatSavePoints(const std::vector<SavePoint>& points) {
  std::string out;
  for (const SavePoint& p : points) {
    out += (out.empty() ? "" : " ") + std::to_string(p.seconds) + " " + std::to_string(p.changes);
  }
  return out;
}

bool SavePointDue(const std::vector<SavePoint>& points, int64_t dirty, int64_t seconds_since_save) {
  for (const SavePoint& p : points) {
    if (dirty >= p.changes && seconds_since_save >= p.seconds && dirty > 0) {
      return true;
    }
  }
  return false;
}

BackgroundSave::~BackgroundSave() {
  if (running()) {
    Kill();
  }
}

Status BackgroundSave::Start(const std::function<Status()>& work) {
  int report[2];
  if (pipe2(report, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Status::Internal(std::string("Can't save in background: pipe: ") + std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(report[0]);
    close(report[1]);
    return Status::Internal(std::string("Can't save in background: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    // The child needs none of the parent's descriptors (`work` opens its own file) but the
    // report pipe, moved to fd 3. Keeping the listening sockets would hold the port after the
    // parent exits, as Redis's child avoids too.
    constexpr int kReportFd = 3;
    if (report[1] != kReportFd) {
      dup2(report[1], kReportFd);
    }
    if (close_range(kReportFd + 1, ~0U, 0) != 0) {
      for (int fd = kReportFd + 1; fd < 65536; fd++) {
        close(fd);
      }
    }
    Status s = work();
    int64_t cow = PrivateDirtyBytes();
    (void)!write(kReportFd, &cow, sizeof(cow));  // a lost report only reads as 0
    _exit(s.ok() ? 0 : 1);
  }
  close(report[1]);
  report_fd_ = report[0];
  pid_ = pid;
  return Status::Ok();
}

void BackgroundSave::CloseReport() {
  if (report_fd_ >= 0) {
    close(report_fd_);
    report_fd_ = -1;
  }
}

int64_t PrivateDirtyBytes() {
  FILE* f = std::fopen("/proc/self/smaps_rollup", "r");
  if (f == nullptr) {
    return 0;
  }
  char line[256];
  int64_t kb = 0;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    long long value = 0;
    if (std::sscanf(line, "Private_Dirty: %lld kB", &value) == 1) {
      kb = value;
      break;
    }
  }
  std::fclose(f);
  return kb * 1024;
}

std::optional<BackgroundSave::Outcome> BackgroundSave::Poll() {
  if (!running()) {
    return std::nullopt;
  }
  int status = 0;
  pid_t got = waitpid(pid_, &status, WNOHANG);
  if (got == 0 || (got < 0 && errno == EINTR)) {
    return std::nullopt;
  }
  pid_ = -1;
  Outcome outcome;
  int64_t cow = 0;
  if (report_fd_ >= 0 && read(report_fd_, &cow, sizeof(cow)) == sizeof(cow)) {
    outcome.cow_bytes = cow;
  }
  CloseReport();
  if (got > 0 && WIFEXITED(status)) {
    outcome.ok = WEXITSTATUS(status) == 0;
    if (outcome.ok) {
      last_cow_bytes_ = outcome.cow_bytes;
    }
  } else if (got > 0 && WIFSIGNALED(status)) {
    outcome.killed = true;
  }
  return outcome;
}

void BackgroundSave::Kill() {
  if (!running()) {
    return;
  }
  kill(pid_, SIGUSR1);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  CloseReport();
}

}  // namespace cairn::persistence
