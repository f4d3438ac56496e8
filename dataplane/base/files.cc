// File helpers.
#include "dataplane/base/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace cairn {

Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data, mode_t mode) {
  std::string tmp = path.string() + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return Status::Unavailable("cannot create " + tmp);
  }
  bool ok =
      write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return Status::Unavailable("cannot write " + path.string());
  }
  return Status::Ok();
}

}  // namespace cairn
