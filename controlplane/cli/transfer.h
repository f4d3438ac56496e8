// Moving snapshot files between cairnctl and the local disk (`snapshot export`, `snapshot
// import`): a running SHA-256, the export destination (a file written through a temp file and
// renamed into place only once everything arrived and verified, or stdout) and reading a local
// file in fixed-size chunks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "dataplane/base/sha256.h"
#include "dataplane/base/status.h"

namespace cairn::controlplane::cli {

// Size of each ImportSnapshot data message, bytes (1 MiB).
inline constexpr size_t kImportChunkBytes = size_t{1} << 20;

// The destination FILE "-" of `snapshot export`: standard output.
inline constexpr std::string_view kStdoutPath = "-";

// Where `snapshot export` writes the received bytes, counting and hashing them.
class ExportSink {
 public:
  // For `path` "-": writes to `stdout_stream` as the bytes arrive. Otherwise creates a temp file
  // "<path>.tmp-XXXXXX" (mode 0600) beside `path`; nothing appears at `path` before Commit.
  // InvalidArgument naming the path when it is a directory or its directory is not writable.
  static Result<std::unique_ptr<ExportSink>> Open(const std::string& path,
                                                  std::ostream& stdout_stream);
  // Removes the temp file unless Commit succeeded.
  ~ExportSink();
  ExportSink(const ExportSink&) = delete;
  ExportSink& operator=(const ExportSink&) = delete;

  // Appends `data`. Unavailable naming the file (e.g. disk full) when writing fails.
  Status Write(std::string_view data);

  // Ends the transfer: the received bytes must be exactly `expected_size` bytes with SHA-256
  // `expected_sha256` (lowercase hex), else DataLoss saying both and that nothing was written
  // (for stdout: that the output is not the snapshot). On a match a file destination is fsynced
  // and renamed onto `path` (replacing any file there). Unavailable when that fails.
  Status Commit(int64_t expected_size, std::string_view expected_sha256);

  // Bytes received so far, and (after Commit) their SHA-256.
  int64_t bytes() const { return bytes_; }
  const std::string& sha256() const { return sha256_; }
  bool to_stdout() const { return stdout_ != nullptr; }

 private:
  ExportSink() = default;

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  std::ostream* stdout_ = nullptr;
  Sha256 hash_;
  int64_t bytes_ = 0;
  std::string sha256_;
  bool committed_ = false;
};

// Checks that `path` is a readable regular file before anything is sent. InvalidArgument
// naming the path and the reason otherwise.
Status CheckReadableFile(const std::string& path);

// Reads the file at `path` from the start and calls `chunk` with successive pieces of at most
// `chunk_bytes` bytes (the last may be shorter; none for an empty file). Stops early, returning
// Ok, when `chunk` returns false. InvalidArgument when the file cannot be opened, Unavailable on
// a read error; both name the path.
Status ReadFileChunks(const std::string& path, size_t chunk_bytes,
                      const std::function<bool(std::string_view)>& chunk);

}  // namespace cairn::controlplane::cli
