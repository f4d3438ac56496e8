// oom-score-adj and disable-thp, after Redis 7.0's setOOMScoreAdj and THP handling.
#include "dataplane/server/process_tuning.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/strings.h"

namespace cairn::server {
namespace {

constexpr const char* kScorePath = "/proc/self/oom_score_adj";

// State shared with the fork handler, which may only do async-signal-safe work: plain ints.
struct OomState {
  bool adjusted = false;  // cairn changed the score; `base` holds the process's own
  int base = 0;
  OomScoreAdjMode mode = OomScoreAdjMode::kNo;
  int child_value = 800;
};
OomState g_oom;

int Target(OomScoreAdjMode mode, int value, int base) {
  if (mode == OomScoreAdjMode::kRelative) {
    value += base;
  }
  return std::clamp(value, -1000, 1000);
}

// Writes `value` to kScorePath with async-signal-safe calls only; false with errno set.
bool WriteScore(int value) {
  char buf[16];
  char* end = buf + sizeof(buf);
  char* p = end;
  *--p = '\n';
  unsigned magnitude = value < 0 ? static_cast<unsigned>(-value) : static_cast<unsigned>(value);
  do {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (value < 0) {
    *--p = '-';
  }
  int fd = open(kScorePath, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  bool ok = write(fd, p, static_cast<size_t>(end - p)) == end - p;
  int saved = errno;
  close(fd);
  errno = saved;
  return ok;
}

void MoveChildToBackgroundClass() {
  if (g_oom.adjusted && g_oom.mode != OomScoreAdjMode::kNo) {
    int saved = errno;
    WriteScore(Target(g_oom.mode, g_oom.child_value, g_oom.base));
    errno = saved;
  }
}

}  // namespace

Status ParseOomScoreAdjMode(std::string_view text, OomScoreAdjMode* out) {
  std::string v = AsciiLower(text);
  if (v == "no") {
    *out = OomScoreAdjMode::kNo;
  } else if (v == "yes" || v == "relative") {
    *out = OomScoreAdjMode::kRelative;
  } else if (v == "absolute") {
    *out = OomScoreAdjMode::kAbsolute;
  } else {
    return Status::InvalidArgument(
        "argument(s) must be one of the following: no, yes, relative, absolute");
  }
  return Status::Ok();
}

std::string FormatOomScoreAdjMode(OomScoreAdjMode mode) {
  switch (mode) {
    case OomScoreAdjMode::kNo:
      return "no";
    case OomScoreAdjMode::kRelative:
      return "yes";
    case OomScoreAdjMode::kAbsolute:
      return "absolute";
  }
  return "no";
}

Status ParseOomScoreAdjValues(std::string_view text, std::array<int, 3>* out) {
  std::vector<std::string_view> words;
  if (!text.empty()) {
    size_t start = 0;
    while (true) {
      size_t space = text.find(' ', start);
      words.push_back(text.substr(start, space - start));
      if (space == std::string_view::npos) {
        break;
      }
      start = space + 1;
    }
  }
  if (words.size() != 3) {
    return Status::InvalidArgument("wrong number of arguments");
  }
  std::array<int, 3> values{};
  for (size_t i = 0; i < 3; i++) {
    std::optional<int64_t> v = ParseInt64(words[i]);
    if (!v || *v < -2000 || *v > 2000) {
      return Status::InvalidArgument(
          "Invalid oom-score-adj-values, elements must be between -2000 and 2000.");
    }
    values[i] = static_cast<int>(*v);
  }
  *out = values;
  return Status::Ok();
}

std::string FormatOomScoreAdjValues(const std::array<int, 3>& values) {
  return std::to_string(values[0]) + " " + std::to_string(values[1]) + " " +
         std::to_string(values[2]);
}

Status ApplyOomScoreAdj(const OomScoreAdj& config, OomClass cls) {
  g_oom.mode = config.mode;
  g_oom.child_value = config.values[static_cast<size_t>(OomClass::kBackgroundChild)];
  int value;
  if (config.mode != OomScoreAdjMode::kNo) {
    if (!g_oom.adjusted) {
      int fd = open(kScorePath, O_RDONLY | O_CLOEXEC);
      char buf[32] = {};
      if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0) {
        std::string error = std::strerror(errno);
        if (fd >= 0) {
          close(fd);
        }
        return Status::Internal("Unable to read oom_score_adj: " + error);
      }
      close(fd);
      g_oom.base = static_cast<int>(std::strtol(buf, nullptr, 10));
      g_oom.adjusted = true;
    }
    value = Target(config.mode, config.values[static_cast<size_t>(cls)], g_oom.base);
  } else if (g_oom.adjusted) {
    g_oom.adjusted = false;
    value = g_oom.base;
  } else {
    return Status::Ok();
  }
  if (!WriteScore(value)) {
    return Status::Internal(std::string("Unable to write oom_score_adj: ") + std::strerror(errno));
  }
  return Status::Ok();
}

void InstallOomScoreAdjForkHandler() {
  static std::once_flag once;
  std::call_once(once, [] { pthread_atfork(nullptr, nullptr, MoveChildToBackgroundClass); });
}

bool DisableTransparentHugePages() {
  return prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0;
}

}  // namespace cairn::server
