// The AOF's open incr file and its fsync thread: appends on the command thread, fsyncs either
// inline (appendfsync always) or on a background thread (everysec), as Redis's bio does, so the
// event loop never waits for the disk in everysec mode.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "dataplane/base/status.h"

namespace cairn::persistence {

// A thread that runs fsync (and close) jobs on file descriptors in order. Owned by the command
// thread; the jobs run off it.
class FsyncThread {
 public:
  FsyncThread();
  ~FsyncThread();  // finishes queued jobs, then joins
  FsyncThread(const FsyncThread&) = delete;
  FsyncThread& operator=(const FsyncThread&) = delete;

  // Queues fsync(fd); with `close_after`, the descriptor is closed after it (the caller hands
  // ownership over).
  void Fsync(int fd, bool close_after);
  // Jobs queued or running (INFO aof_pending_bio_fsync).
  int64_t pending() const { return pending_.load(); }
  // Blocks until every job queued so far has run.
  void Drain();
  // The errno of the last fsync run, 0 when it succeeded (Redis's aof_bio_fsync_status and
  // aof_bio_fsync_errno).
  int last_error() const { return last_error_.load(); }

 private:
  struct Job {
    int fd;
    bool close_after;
  };
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  std::deque<Job> jobs_;
  std::atomic<int64_t> pending_{0};
  std::atomic<int> last_error_{0};
  bool stop_ = false;
  std::thread thread_;
};

// An append-only file open for writing. Command thread only.
class AofAppender {
 public:
  AofAppender() = default;
  ~AofAppender();
  AofAppender(const AofAppender&) = delete;
  AofAppender& operator=(const AofAppender&) = delete;
  // Moving transfers the open descriptor; a moved-to appender closes what it held first.
  AofAppender(AofAppender&& other) noexcept { *this = std::move(other); }
  AofAppender& operator=(AofAppender&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = other.fd_;
      size_ = other.size_;
      path_ = std::move(other.path_);
      other.fd_ = -1;
      other.size_ = 0;
    }
    return *this;
  }

  // Opens (creating, or truncating when `truncate`) `path` for appending. Errors name the file
  // and the system error.
  Status Open(const std::string& path, bool truncate);
  bool is_open() const { return fd_ >= 0; }
  // Writes all of `bytes`. On a short or failed write the file is cut back to its previous size
  // (as Redis does, so no half command stays) and the error names the file; `*kept` is then
  // the count of leading bytes that could not be cut back and stay in the file (the caller
  // must not write them again), else 0. last_errno() holds the failure's errno.
  Status Append(std::string_view bytes, size_t* kept);
  int last_errno() const { return last_errno_; }
  // fsync on this thread. Errors name the file.
  Status Sync();
  // Hands the descriptor to `thread` to be fsynced (and closed, with `close_after`, which also
  // closes this appender).
  void SyncInBackground(FsyncThread& thread, bool close_after);
  void Close();
  // Bytes in the file (its size when opened plus what was appended).
  int64_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  int64_t size_ = 0;
  int last_errno_ = 0;
  std::string path_;
};

// The size of the file at `path`, 0 when it does not exist.
int64_t FileSize(const std::string& path);

}  // namespace cairn::persistence
