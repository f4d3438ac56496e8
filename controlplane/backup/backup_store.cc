// DirectoryBackupStore and the operations built on BackupStore's primitives.
#include "controlplane/backup/backup_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include <openssl/rand.h>

#include "dataplane/base/sha256.h"

namespace cairn::controlplane {
namespace {

namespace fs = std::filesystem;

constexpr size_t kChunkBytes = size_t{1} << 20;

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

Status ErrnoStatus(const std::string& what, const fs::path& path) {
  return Status::Unavailable("backup store: " + what + " " + path.string() + ": " +
                             std::strerror(errno));
}

// Reads `path` in chunks into `sink`.
Status ReadChunks(const fs::path& path, const ChunkSink& sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return errno == ENOENT ? Status::NotFound("backup store: no file " + path.string())
                           : ErrnoStatus("cannot open", path);
  }
  std::vector<char> buffer(kChunkBytes);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize n = in.gcount();
    if (n > 0) {
      CAIRN_RETURN_IF_ERROR(sink(std::string_view(buffer.data(), static_cast<size_t>(n))));
    }
  }
  if (in.bad()) {
    return ErrnoStatus("cannot read", path);
  }
  return Status::Ok();
}

class FileWriter final : public BackupWriter {
 public:
  FileWriter(fs::path final_path, fs::path temp_path, int fd, std::string key)
      : final_(std::move(final_path)), temp_(std::move(temp_path)), fd_(fd), key_(std::move(key)) {}
  ~FileWriter() override {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    if (!committed_) {
      std::error_code ec;
      fs::remove(temp_, ec);
    }
  }
  Status Write(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        return ErrnoStatus("cannot write", temp_);
      }
      hash_.Update(data.substr(0, static_cast<size_t>(n)));
      size_ += n;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }
  Result<StoredObject> Commit() override {
    if (fd_ < 0 || committed_) {
      return Status::FailedPrecondition("backup store: writer already committed");
    }
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      fd_ = -1;
      return ErrnoStatus("cannot sync", temp_);
    }
    fd_ = -1;
    if (::rename(temp_.c_str(), final_.c_str()) != 0) {
      return ErrnoStatus("cannot rename into", final_);
    }
    committed_ = true;
    return StoredObject{key_, size_, hash_.HexDigest()};
  }

 private:
  fs::path final_;
  fs::path temp_;
  int fd_;
  std::string key_;
  Sha256 hash_;
  int64_t size_ = 0;
  bool committed_ = false;
};

std::string RandomSuffix() {
  std::array<unsigned char, 8> bytes{};
  RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
  return Hex(bytes.data(), bytes.size());
}

}  // namespace

std::string SnapshotKey(std::string_view snapshot_name) {
  return "snapshots/" + std::string(snapshot_name) + ".rdb";
}

Result<StoredObject> BackupStore::PutFile(const std::string& key, const fs::path& source) {
  Result<std::unique_ptr<BackupWriter>> writer = Create(key);
  CAIRN_RETURN_IF_ERROR(writer.status());
  CAIRN_RETURN_IF_ERROR(
      ReadChunks(source, [&](std::string_view chunk) { return (*writer)->Write(chunk); }));
  return (*writer)->Commit();
}

Status BackupStore::FetchTo(const StoredObject& object, const fs::path& destination) {
  fs::path temp = destination;
  temp += ".fetch-" + RandomSuffix();
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out) {
    return ErrnoStatus("cannot create", temp);
  }
  Status read = Read(object.key, &object, [&](std::string_view chunk) {
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    return out ? Status::Ok() : ErrnoStatus("cannot write", temp);
  });
  out.close();
  std::error_code ec;
  if (!read.ok() || !out) {
    fs::remove(temp, ec);
    return read.ok() ? ErrnoStatus("cannot write", temp) : read;
  }
  fs::rename(temp, destination, ec);
  if (ec) {
    fs::remove(temp, ec);
    return Status::Unavailable("backup store: cannot rename into " + destination.string());
  }
  return Status::Ok();
}

Result<StoredObject> BackupStore::Copy(const StoredObject& source, const std::string& target_key) {
  Result<std::unique_ptr<BackupWriter>> writer = Create(target_key);
  CAIRN_RETURN_IF_ERROR(writer.status());
  CAIRN_RETURN_IF_ERROR(
      Read(source.key, &source, [&](std::string_view chunk) { return (*writer)->Write(chunk); }));
  return (*writer)->Commit();
}

Status BackupStore::Verify(const StoredObject& object) {
  Result<StoredObject> now = Stat(object.key);
  CAIRN_RETURN_IF_ERROR(now.status());
  if (now->size_bytes != object.size_bytes || now->sha256 != object.sha256) {
    return Status::DataLoss("backup file " + object.key + " is corrupt: expected " +
                            std::to_string(object.size_bytes) + " bytes with sha256 " +
                            object.sha256 + ", found " + std::to_string(now->size_bytes) +
                            " bytes with sha256 " + now->sha256 + " (sha256 mismatch)");
  }
  return Status::Ok();
}

Result<std::unique_ptr<DirectoryBackupStore>> DirectoryBackupStore::Open(const fs::path& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) {
    return Status::Unavailable("--backup-dir: cannot create " + root.string() + ": " +
                               ec.message());
  }
  return std::unique_ptr<DirectoryBackupStore>(new DirectoryBackupStore(fs::absolute(root)));
}

Result<fs::path> DirectoryBackupStore::PathOf(const std::string& key) const {
  fs::path rel(key);
  bool bad = key.empty() || rel.is_absolute() || key.back() == '/';
  for (const fs::path& part : rel) {
    bad = bad || part == ".." || part == ".";
  }
  if (bad) {
    return Status::InvalidArgument("backup store: invalid key \"" + key + "\"");
  }
  return root_ / rel;
}

Result<std::unique_ptr<BackupWriter>> DirectoryBackupStore::Create(const std::string& key) {
  Result<fs::path> path = PathOf(key);
  CAIRN_RETURN_IF_ERROR(path.status());
  std::error_code ec;
  fs::create_directories(path->parent_path(), ec);
  fs::path temp =
      path->parent_path() / ("." + path->filename().string() + ".tmp-" + RandomSuffix());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return ErrnoStatus("cannot create", temp);
  }
  return std::unique_ptr<BackupWriter>(new FileWriter(*path, temp, fd, key));
}

Status DirectoryBackupStore::Read(const std::string& key, const StoredObject* expected,
                                  const ChunkSink& sink) {
  Result<fs::path> path = PathOf(key);
  CAIRN_RETURN_IF_ERROR(path.status());
  if (expected != nullptr && !expected->sha256.empty()) {
    CAIRN_RETURN_IF_ERROR(Verify(*expected));
  }
  return ReadChunks(*path, sink);
}

Result<StoredObject> DirectoryBackupStore::Stat(const std::string& key) {
  Result<fs::path> path = PathOf(key);
  CAIRN_RETURN_IF_ERROR(path.status());
  Sha256 hash;
  int64_t size = 0;
  CAIRN_RETURN_IF_ERROR(ReadChunks(*path, [&](std::string_view chunk) {
    hash.Update(chunk);
    size += static_cast<int64_t>(chunk.size());
    return Status::Ok();
  }));
  return StoredObject{key, size, hash.HexDigest()};
}

Status DirectoryBackupStore::Delete(const std::string& key) {
  Result<fs::path> path = PathOf(key);
  CAIRN_RETURN_IF_ERROR(path.status());
  std::error_code ec;
  fs::remove(*path, ec);
  if (ec) {
    return Status::Unavailable("backup store: cannot remove " + path->string() + ": " +
                               ec.message());
  }
  return Status::Ok();
}

}  // namespace cairn::controlplane
