// Snapshot file transfer helpers: the export sink, chunked reads.
#include "controlplane/cli/transfer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

namespace cairn::controlplane::cli {
namespace {

namespace fs = std::filesystem;

std::string ErrnoText() {
  return std::strerror(errno);
}

}  // namespace

Result<std::unique_ptr<ExportSink>> ExportSink::Open(const std::string& path,
                                                     std::ostream& stdout_stream) {
  std::unique_ptr<ExportSink> sink(new ExportSink());
  sink->path_ = path;
  if (path == kStdoutPath) {
    sink->stdout_ = &stdout_stream;
    return sink;
  }
  std::error_code error;
  if (path.empty() || fs::is_directory(path, error)) {
    return Status::InvalidArgument("cannot write '" + path +
                                   "': give a file name, not a directory");
  }
  std::string pattern = path + ".tmp-XXXXXX";
  int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) {
    return Status::InvalidArgument("cannot create a file beside " + path + ": " + ErrnoText());
  }
  sink->fd_ = fd;
  sink->temp_path_ = pattern;
  return sink;
}

ExportSink::~ExportSink() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  if (!temp_path_.empty() && !committed_) {
    ::unlink(temp_path_.c_str());
  }
}

Status ExportSink::Write(std::string_view data) {
  hash_.Update(data);
  bytes_ += static_cast<int64_t>(data.size());
  if (stdout_ != nullptr) {
    stdout_->write(data.data(), static_cast<std::streamsize>(data.size()));
    return stdout_->good() ? Status::Ok() : Status::Unavailable("cannot write to stdout");
  }
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return Status::Unavailable("cannot write " + temp_path_ + ": " + ErrnoText());
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status ExportSink::Commit(int64_t expected_size, std::string_view expected_sha256) {
  sha256_ = hash_.HexDigest();
  if (bytes_ != expected_size || sha256_ != expected_sha256) {
    std::string where = stdout_ != nullptr ? "the data written to stdout is not the snapshot"
                                           : path_ + " was not written";
    return Status::DataLoss("sha256 mismatch: received " + std::to_string(bytes_) +
                            " bytes with sha256 " + sha256_ + ", the snapshot has " +
                            std::to_string(expected_size) + " bytes with sha256 " +
                            std::string(expected_sha256) + "; " + where);
  }
  if (stdout_ != nullptr) {
    stdout_->flush();
    committed_ = true;
    return stdout_->good() ? Status::Ok() : Status::Unavailable("cannot write to stdout");
  }
  int fd = fd_;
  fd_ = -1;
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status::Unavailable("cannot sync " + temp_path_ + ": " + ErrnoText());
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return Status::Unavailable("cannot rename " + temp_path_ + " to " + path_ + ": " + ErrnoText());
  }
  committed_ = true;
  return Status::Ok();
}

Status CheckReadableFile(const std::string& path) {
  std::error_code error;
  if (!fs::exists(path, error)) {
    return Status::InvalidArgument("cannot read " + path + ": no such file");
  }
  if (!fs::is_regular_file(path, error)) {
    return Status::InvalidArgument("cannot read " + path + ": not a regular file");
  }
  if (::access(path.c_str(), R_OK) != 0) {
    return Status::InvalidArgument("cannot read " + path + ": " + ErrnoText());
  }
  return Status::Ok();
}

Status ReadFileChunks(const std::string& path, size_t chunk_bytes,
                      const std::function<bool(std::string_view)>& chunk) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::InvalidArgument("cannot open " + path + ": " + ErrnoText());
  }
  std::vector<char> buffer(chunk_bytes);
  size_t filled = 0;
  Status result = Status::Ok();
  bool more = true;
  while (more) {
    ssize_t n = ::read(fd, buffer.data() + filled, buffer.size() - filled);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      result = Status::Unavailable("cannot read " + path + ": " + ErrnoText());
      break;
    }
    filled += static_cast<size_t>(n);
    more = n > 0;
    // Full chunks only, except the last piece of the file.
    if (filled == buffer.size() || (!more && filled > 0)) {
      more = chunk(std::string_view(buffer.data(), filled)) && more;
      filled = 0;
    }
  }
  ::close(fd);
  return result;
}

}  // namespace cairn::controlplane::cli
