// Appender and fsync thread.
#include "dataplane/persistence/aof_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cairn::persistence {

FsyncThread::FsyncThread() : thread_([this] { Run(); }) {}

FsyncThread::~FsyncThread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void FsyncThread::Fsync(int fd, bool close_after) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back({fd, close_after});
    pending_++;
  }
  cv_.notify_one();
}

void FsyncThread::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return pending_.load() == 0; });
}

void FsyncThread::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) {
      return;  // stop_ with nothing left
    }
    Job job = jobs_.front();
    jobs_.pop_front();
    lock.unlock();
    // As Redis's bio: a failure refuses writes (-MISCONF) until an fsync succeeds again; EBADF
    // and EINVAL (a file that cannot be synced, such as a device) are not failures.
    int err = fdatasync(job.fd) == 0 ? 0 : errno;
    last_error_.store(err == EBADF || err == EINVAL ? 0 : err);
    if (job.close_after) {
      close(job.fd);
    }
    lock.lock();
    pending_--;
    idle_cv_.notify_all();
  }
}

AofAppender::~AofAppender() {
  Close();
}

Status AofAppender::Open(const std::string& path, bool truncate) {
  Close();
  int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  int fd = open(path.c_str(), flags, 0644);
  if (fd < 0) {
    return Status::Internal("Can't open the append-only file '" + path +
                            "': " + std::strerror(errno));
  }
  fd_ = fd;
  path_ = path;
  size_ = FileSize(path);
  return Status::Ok();
}

Status AofAppender::Append(std::string_view bytes, size_t* kept) {
  *kept = 0;
  size_t total = bytes.size();
  size_t done = 0;
  while (done < total) {
    ssize_t n = write(fd_, bytes.data() + done, total - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      int err = n < 0 ? errno : ENOSPC;
      last_errno_ = err;
      // Remove the partial command so the file stays loadable (Redis's ftruncate on short write).
      if (done > 0 && ftruncate(fd_, size_) != 0) {
        size_ += static_cast<int64_t>(done);  // could not cut back: the size is what is there
        *kept = done;
      }
      return Status::Internal("Error writing to the AOF file '" + path_ +
                              "': " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  size_ += static_cast<int64_t>(total);
  return Status::Ok();
}

Status AofAppender::Sync() {
  if (fd_ >= 0 && fdatasync(fd_) != 0) {
    return Status::Internal("Can't fsync the AOF file '" + path_ + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

void AofAppender::SyncInBackground(FsyncThread& thread, bool close_after) {
  if (fd_ < 0) {
    return;
  }
  thread.Fsync(fd_, close_after);
  if (close_after) {
    fd_ = -1;
    path_.clear();
    size_ = 0;
  }
}

void AofAppender::Close() {
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

}  // namespace cairn::persistence
