// Manifest parsing and writing. Rules and texts follow Redis 7.0's aof.c
// (aofLoadManifestFromFile / getAofManifestAsString), with the line number added to errors.
#include "dataplane/persistence/aof_manifest.h"

#include <fcntl.h>
#include <unistd.h>

#include "dataplane/base/strings.h"
#include "dataplane/protocol/resp_parser.h"

namespace cairn::persistence {
namespace {

// Redis reads manifest lines into a buffer of this size (AOF_ANNOTATION_LINE_MAX_LEN).
constexpr size_t kMaxManifestLine = 1024;

Status LineError(int lineno, const std::string& what) {
  return Status::InvalidArgument("Invalid AOF manifest at line " + std::to_string(lineno) + ": " +
                                 what);
}

// One line's key/value pairs as an entry; the error text is the reason only.
Result<AofFileInfo> ParseEntry(std::string_view line) {
  std::vector<std::string> words;
  if (!protocol::SplitInlineArgs(line, &words) || words.size() < 6 || words.size() % 2 != 0) {
    return Status::InvalidArgument("Invalid AOF manifest file format");
  }
  AofFileInfo info;
  char type = 0;
  for (size_t i = 0; i < words.size(); i += 2) {
    const std::string& value = words[i + 1];
    if (words[i] == "file") {
      info.name = value;
    } else if (words[i] == "seq") {
      info.seq = ParseInt64(value).value_or(0);
    } else if (words[i] == "type") {
      type = value.empty() ? 0 : value[0];
    }  // unknown keys: ignored, as Redis does (room for future fields)
  }
  if (info.name.empty() || info.seq <= 0 || type == 0) {
    return Status::InvalidArgument("Invalid AOF manifest file format");
  }
  if (info.name.find('/') != std::string::npos) {
    return Status::InvalidArgument("File name '" + info.name + "' is a path, not a file name");
  }
  if (type != 'b' && type != 'h' && type != 'i') {
    return Status::InvalidArgument(std::string("Unknown AOF file type '") + type + "'");
  }
  info.type = static_cast<AofFileType>(type);
  return info;
}

Status AddEntry(AofManifest& m, AofFileInfo info) {
  switch (info.type) {
    case AofFileType::kBase:
      if (m.base) {
        return Status::InvalidArgument("Found duplicate base file information");
      }
      m.base_seq = info.seq;
      m.base = std::move(info);
      return Status::Ok();
    case AofFileType::kHistory:
      m.history.push_back(std::move(info));
      return Status::Ok();
    case AofFileType::kIncr:
      if (info.seq <= m.incr_seq) {
        return Status::InvalidArgument("Found a non-monotonic sequence number");
      }
      m.incr_seq = info.seq;
      m.incrs.push_back(std::move(info));
      return Status::Ok();
  }
  return Status::Ok();
}

std::string Line(const AofFileInfo& f) {
  bool plain = !f.name.empty() && f.name.find_first_of(" \t\r\n\"'\\") == std::string::npos;
  for (unsigned char c : f.name) {
    plain = plain && c > 32 && c < 127;
  }
  return "file " + (plain ? f.name : QuoteRepr(f.name)) + " seq " + std::to_string(f.seq) +
         " type " + static_cast<char>(f.type) + "\n";
}

}  // namespace

Result<AofManifest> ParseAofManifest(std::string_view text) {
  AofManifest m;
  int lineno = 0;
  while (!text.empty()) {
    lineno++;
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos && text.size() >= kMaxManifestLine) {
      return LineError(lineno, "The AOF manifest file contains too long line");
    }
    if (nl == std::string_view::npos) {
      return LineError(lineno, "The AOF manifest file is invalid format (no newline at the end)");
    }
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (line.size() + 1 > kMaxManifestLine) {
      return LineError(lineno, "The AOF manifest file contains too long line");
    }
    if (!line.empty() && line[0] == '#') {
      continue;
    }
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    Result<AofFileInfo> entry = ParseEntry(line);
    if (!entry.ok()) {
      return LineError(lineno, std::string(entry.status().message()));
    }
    Status added = AddEntry(m, std::move(*entry));
    if (!added.ok()) {
      return LineError(lineno, std::string(added.message()));
    }
  }
  if (!m.base && m.incrs.empty()) {
    return Status::InvalidArgument("Found an empty AOF manifest");
  }
  return m;
}

std::string FormatAofManifest(const AofManifest& manifest) {
  std::string out;
  if (manifest.base) {
    out += Line(*manifest.base);
  }
  for (const AofFileInfo& f : manifest.history) {
    out += Line(f);
  }
  for (const AofFileInfo& f : manifest.incrs) {
    out += Line(f);
  }
  return out;
}

std::string AofBaseFileName(std::string_view filename, int64_t seq, bool rdb) {
  return std::string(filename) + "." + std::to_string(seq) + ".base" + (rdb ? ".rdb" : ".aof");
}

std::string AofIncrFileName(std::string_view filename, int64_t seq) {
  return std::string(filename) + "." + std::to_string(seq) + ".incr.aof";
}

std::string AofManifestFileName(std::string_view filename) {
  return std::string(filename) + ".manifest";
}

void FsyncDirectory(const std::string& dir) {
  int fd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)fsync(fd);  // best effort: some filesystems refuse fsync on directories
    close(fd);
  }
}

}  // namespace cairn::persistence
