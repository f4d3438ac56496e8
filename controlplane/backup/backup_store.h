// The backup store: where snapshot files (RDB) live, addressed by key ("snapshots/NAME.rdb").
// BackupStore is the interface every caller uses; DirectoryBackupStore keeps the files under a
// directory (--backup-dir, which may be a shared mount seen by the control plane and every
// agent). An object store can be added later behind the same interface. Files are written
// under a temporary name and renamed, and every read that matters is checked against the
// SHA-256 recorded when the file was stored.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "dataplane/base/status.h"

namespace cairn::controlplane {

// A stored file: its key, size in bytes and lowercase hex SHA-256.
struct StoredObject {
  std::string key;
  int64_t size_bytes = 0;
  std::string sha256;
};

// Receives the next piece of a file being read, in order; a non-OK status stops the read and
// is returned by the reader.
using ChunkSink = std::function<Status(std::string_view chunk)>;

// A file being written. Nothing is visible under the key until Commit; destroying an
// uncommitted writer removes what was written.
class BackupWriter {
 public:
  virtual ~BackupWriter() = default;
  virtual Status Write(std::string_view data) = 0;
  // Makes the file visible under its key (replacing any file there) and returns its size and
  // SHA-256. The writer is spent afterwards.
  virtual Result<StoredObject> Commit() = 0;
};

class BackupStore {
 public:
  virtual ~BackupStore() = default;

  // Starts writing `key`. InvalidArgument for a key that is empty, absolute or has "..";
  // Unavailable when the store cannot be written.
  virtual Result<std::unique_ptr<BackupWriter>> Create(const std::string& key) = 0;
  // Streams the file at `key` to `sink` in chunks of up to 1 MiB. When `expected` has a
  // sha256, the whole file is hashed first and DataLoss is returned on a mismatch (or a size
  // mismatch) before any byte reaches the sink. NotFound when there is no such file.
  virtual Status Read(const std::string& key, const StoredObject* expected,
                      const ChunkSink& sink) = 0;
  // Size and SHA-256 of the file at `key` as stored now (hashes the whole file). NotFound.
  virtual Result<StoredObject> Stat(const std::string& key) = 0;
  // Removes the file; a missing file is not an error.
  virtual Status Delete(const std::string& key) = 0;

  // ---- Built on the above ----

  // Copies a local file into the store under `key`.
  Result<StoredObject> PutFile(const std::string& key, const std::filesystem::path& source);
  // Copies `object` out of the store to the local `destination` (temp name + rename), checking
  // its size and SHA-256 first: DataLoss "... sha256 mismatch ..." leaves nothing at
  // `destination`.
  Status FetchTo(const StoredObject& object, const std::filesystem::path& destination);
  // Copies the verified file `source` to `target_key`.
  Result<StoredObject> Copy(const StoredObject& source, const std::string& target_key);
  // DataLoss when the stored file no longer has `object`'s size and SHA-256; NotFound when it
  // is gone.
  Status Verify(const StoredObject& object);
};

// Files under `root` (created owner-only if missing): key "a/b.rdb" is root/a/b.rdb, written as
// root/a/.b.rdb.tmp-<random> first.
class DirectoryBackupStore final : public BackupStore {
 public:
  // Unavailable when `root` cannot be created.
  static Result<std::unique_ptr<DirectoryBackupStore>> Open(const std::filesystem::path& root);

  Result<std::unique_ptr<BackupWriter>> Create(const std::string& key) override;
  Status Read(const std::string& key, const StoredObject* expected, const ChunkSink& sink) override;
  Result<StoredObject> Stat(const std::string& key) override;
  Status Delete(const std::string& key) override;

  const std::filesystem::path& root() const { return root_; }

 private:
  explicit DirectoryBackupStore(std::filesystem::path root) : root_(std::move(root)) {}
  Result<std::filesystem::path> PathOf(const std::string& key) const;
  std::filesystem::path root_;
};

// The key of snapshot `name`'s file: "snapshots/<name>.rdb".
std::string SnapshotKey(std::string_view snapshot_name);

}  // namespace cairn::controlplane
