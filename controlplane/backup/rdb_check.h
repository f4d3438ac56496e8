// Validation of RDB files before they become snapshots (imports), in the spirit of
// redis-check-rdb: the whole file is loaded into a scratch keyspace with cairn-server's own
// loader, so a file accepted here is one cairn-server will load.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "dataplane/base/status.h"

namespace cairn::controlplane {

struct RdbFileInfo {
  int version = 0;            // RDB format version, 1..10
  int64_t keys = 0;           // keys in the file (expired ones included)
  std::string redis_version;  // the "redis-ver" AUX field, empty when absent
};

// Loads `path` completely (every value decoded, CRC-64 checked) and discards the result.
// InvalidArgument "not a valid RDB file: <reason at offset N>" when it is not one; NotFound or
// Unavailable when it cannot be read. Memory: about the dataset's size while it runs.
Result<RdbFileInfo> ValidateRdbFile(const std::filesystem::path& path);

}  // namespace cairn::controlplane
