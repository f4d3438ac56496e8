// ValidateRdbFile over dataplane/persistence's loader.
#include "controlplane/backup/rdb_check.h"

#include <fstream>
#include <sstream>

#include "dataplane/engine/keyspace.h"
#include "dataplane/persistence/rdb_reader.h"

namespace cairn::controlplane {

Result<RdbFileInfo> ValidateRdbFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("cannot read " + path.string());
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    return Status::Unavailable("cannot read " + path.string());
  }
  std::string data = std::move(buffer).str();
  SystemClock clock;
  engine::KeyspaceConfig config;
  engine::Keyspace scratch(config, &clock, [] { return size_t{0}; });
  persistence::RdbLoadOptions options;
  options.skip_expired = false;
  options.now_ms = clock.NowMs();
  Result<persistence::RdbLoadInfo> loaded = persistence::LoadRdb(data, scratch, options);
  if (!loaded.ok()) {
    return Status::InvalidArgument("not a valid RDB file: " +
                                   std::string(loaded.status().message()));
  }
  if (loaded->bytes != data.size()) {
    return Status::InvalidArgument(
        "not a valid RDB file: " + std::to_string(data.size() - loaded->bytes) +
        " bytes after the end of the RDB data");
  }
  RdbFileInfo info;
  info.version = loaded->version;
  info.keys = loaded->keys_loaded + loaded->keys_expired;
  auto ver = loaded->aux.find("redis-ver");
  if (ver != loaded->aux.end()) {
    info.redis_version = ver->second;
  }
  return info;
}

}  // namespace cairn::controlplane
