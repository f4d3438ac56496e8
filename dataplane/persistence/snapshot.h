// Snapshot files: writing an RDB file safely (temp file, fsync, rename, fsync of the directory),
// reading one, save points (`save 3600 1 300 100`), and the forked background save (BGSAVE).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/status.h"
#include "dataplane/engine/keyspace.h"
#include "dataplane/persistence/rdb_reader.h"
#include "dataplane/persistence/rdb_writer.h"

namespace cairn::persistence {

// Writes `keyspace` to `path` through a temp file in the same directory ("temp-<pid>.rdb"), which
// is fsynced and renamed over `path`, so a crash mid-save leaves the previous file intact.
// Errors name the file and the system error ("No space left on device").
Status WriteRdbFile(engine::Keyspace& keyspace, const RdbSaveInfo& info, const std::string& path);

// Reads and loads the RDB file at `path`. NotFound when it does not exist; otherwise LoadRdb's
// errors, prefixed with the path.
Result<RdbLoadInfo> LoadRdbFile(const std::string& path, engine::Keyspace& keyspace,
                                const RdbLoadOptions& options);

// Reads a whole file. Errors name the path and the system error.
Result<std::string> ReadWholeFile(const std::string& path);

// One save point: save when at least `changes` writes happened in the last `seconds`.
struct SavePoint {
  int64_t seconds = 0;
  int64_t changes = 0;
};

// Parses the `save` parameter: pairs of positive integers ("3600 1 300 100"), or "" for none.
// Errors: InvalidArgument "Invalid save parameters" (the text redis-server gives).
Result<std::vector<SavePoint>> ParseSavePoints(std::string_view value);
// Formats save points as CONFIG GET shows them ("3600 1 300 100").
std::string FormatSavePoints(const std::vector<SavePoint>& points);
// True when a point is due: `dirty` >= its changes and `seconds_since_save` >= its seconds.
bool SavePointDue(const std::vector<SavePoint>& points, int64_t dirty, int64_t seconds_since_save);

// A forked child writing a snapshot. The parent keeps serving; the child sees the dataset as it
// was at fork (copy-on-write).
class BackgroundSave {
 public:
  // What a finished child reported.
  struct Outcome {
    bool ok = false;
    bool killed = false;  // ended by a signal (or Kill())
    // Bytes the child's pages diverged from the parent's (copy-on-write), from the child's
    // Private_Dirty in /proc/self/smaps_rollup at its end, as Redis's rdb_last_cow_size; 0 when
    // the child did not report it.
    int64_t cow_bytes = 0;
  };

  ~BackgroundSave();

  // Forks; the child runs `work`, reports its copy-on-write size, and exits 0 when `work`
  // returned OK, 1 otherwise. Errors: pipe's or fork's.
  // REQUIRES: !running().
  Status Start(const std::function<Status()>& work);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int64_t started_ms() const { return started_ms_; }
  void set_started_ms(int64_t ms) { started_ms_ = ms; }
  // Reaps the child if it has exited (non-blocking).
  std::optional<Outcome> Poll();
  // cow_bytes of the last child that succeeded (INFO rdb_last_cow_size / aof_last_cow_size).
  int64_t last_cow_bytes() const { return last_cow_bytes_; }
  // Stops the child (SIGUSR1, as Redis kills its save child) and waits for it.
  void Kill();

 private:
  void CloseReport();

  pid_t pid_ = -1;
  int report_fd_ = -1;          // read end of the pipe the child writes its copy-on-write size to
  int64_t last_cow_bytes_ = 0;  // cow_bytes of the last child that succeeded
  int64_t started_ms_ = 0;
};

// The calling process's Private_Dirty bytes (pages it wrote since the fork, in a fork child),
// read from /proc/self/smaps_rollup; 0 when that cannot be read.
int64_t PrivateDirtyBytes();

}  // namespace cairn::persistence
