// The multi-part AOF manifest (Redis 7.0's layout): which base, history and incremental files
// make up the append-only file in dir/appenddirname/, parsed from and written to
// "<appendfilename>.manifest". Also the file names Redis gives each part.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"

namespace cairn::persistence {

// A part's role, as the manifest's `type` field spells it: b (base), h (history), i (incr).
enum class AofFileType : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };

// One manifest line: "file <name> seq <seq> type <b|h|i>".
struct AofFileInfo {
  std::string name;
  int64_t seq = 0;
  AofFileType type = AofFileType::kIncr;
};

// A parsed manifest. Loading order is base, then incrs in sequence order; history files are
// leftovers of a rewrite, deleted as soon as the new manifest is durable.
struct AofManifest {
  std::optional<AofFileInfo> base;
  std::vector<AofFileInfo> incrs;    // ascending seq
  std::vector<AofFileInfo> history;  // in file order
  int64_t base_seq = 0;              // highest base seq ever used (next base is +1)
  int64_t incr_seq = 0;              // highest incr seq ever used (next incr is +1)
};

// Parses a manifest's text as Redis 7.0's aofLoadManifestFromFile does: one entry per line, keys
// `file`, `seq` and `type` in any order (unknown keys ignored), '#' lines are comments, quoted
// names allowed. Errors (InvalidArgument, naming the line): a line without a newline, a missing
// or bad field, an unknown type, two base files, incr seqs not ascending, no file at all.
Result<AofManifest> ParseAofManifest(std::string_view text);

// The manifest's text as Redis writes it: base, history, incrs, one
// "file <name> seq <seq> type <c>\n" line each (names with spaces or quotes are quoted).
std::string FormatAofManifest(const AofManifest& manifest);

// Part names: "<filename>.<seq>.base.rdb" (RDB preamble) or ".base.aof",
// "<filename>.<seq>.incr.aof", and "<filename>.manifest".
std::string AofBaseFileName(std::string_view filename, int64_t seq, bool rdb);
std::string AofIncrFileName(std::string_view filename, int64_t seq);
std::string AofManifestFileName(std::string_view filename);

// fsync()s a directory so renames and unlinks in it are durable (best effort: some filesystems
// refuse; that error is ignored).
void FsyncDirectory(const std::string& dir);

}  // namespace cairn::persistence
