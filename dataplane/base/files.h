// Small file helpers shared by every binary.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "dataplane/base/status.h"

namespace cairn {

// Writes `data` to `path` through "<path>.tmp", fsync and rename, so a crash leaves either the
// old file or the new one, never half of either. The file gets `mode` (default owner-only).
// Unavailable naming the path when any step fails; the temp file is removed then.
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view data,
                       mode_t mode = 0600);

}  // namespace cairn
