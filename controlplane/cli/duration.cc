// Parsing and formatting of command-line durations and times.
#include "controlplane/cli/duration.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <utility>

#include <google/protobuf/util/time_util.h>

namespace cairn::controlplane::cli {
namespace {

constexpr int64_t kMaxDurationMs = int64_t{100} * 365 * 24 * 3600 * 1000;

// Unit suffixes and their length in milliseconds. "ms" precedes "m" so the longer match wins.
constexpr std::array<std::pair<std::string_view, int64_t>, 5> kUnits = {{
    {"ms", 1},
    {"s", 1000},
    {"m", 60 * 1000},
    {"h", 3600 * 1000},
    {"d", 24 * 3600 * 1000},
}};

Status BadDuration(std::string_view text) {
  return Status::InvalidArgument("invalid duration '" + std::string(text) +
                                 "': expected e.g. 30s, 10m, 1h30m, 500ms or 2d");
}

// Reads one unit at the front of `rest`; returns its length in ms and advances, or 0 if none.
int64_t TakeUnit(std::string_view& rest) {
  for (const auto& [suffix, ms] : kUnits) {
    if (rest.starts_with(suffix)) {
      rest.remove_prefix(suffix.size());
      return ms;
    }
  }
  return 0;
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text.empty()) {
    return BadDuration(text);
  }
  std::string_view rest = text;
  int64_t total_ms = 0;
  bool bare_number = true;
  while (!rest.empty()) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc() || value < 0) {
      return BadDuration(text);
    }
    rest.remove_prefix(end - rest.data());
    int64_t unit_ms = TakeUnit(rest);
    if (unit_ms == 0) {
      // Only a whole-text bare integer may omit its unit (it means seconds).
      if (!rest.empty() || !bare_number) {
        return BadDuration(text);
      }
      unit_ms = 1000;
    }
    bare_number = false;
    if (value > kMaxDurationMs / unit_ms || total_ms + value * unit_ms > kMaxDurationMs) {
      return Status::InvalidArgument("duration '" + std::string(text) + "' is too long");
    }
    total_ms += value * unit_ms;
  }
  return std::chrono::milliseconds(total_ms);
}

std::string FormatDuration(std::chrono::milliseconds duration) {
  int64_t ms = duration.count();
  if (ms == 0) {
    return "0s";
  }
  if (ms % 1000 != 0) {
    return std::to_string(ms) + "ms";
  }
  std::string out;
  int64_t seconds = ms / 1000;
  for (const auto& [suffix, unit_ms] :
       {std::pair<std::string_view, int64_t>{"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}}) {
    if (seconds >= unit_ms) {
      out += std::to_string(seconds / unit_ms);
      out += suffix;
      seconds %= unit_ms;
    }
  }
  return out;
}

Result<google::protobuf::Timestamp> ParseSince(std::string_view text,
                                               std::chrono::system_clock::time_point now) {
  google::protobuf::Timestamp timestamp;
  if (google::protobuf::util::TimeUtil::FromString(std::string(text), &timestamp)) {
    return timestamp;
  }
  Result<std::chrono::milliseconds> ago = ParseDuration(text);
  if (!ago.ok()) {
    return Status::InvalidArgument("invalid --since '" + std::string(text) +
                                   "': expected an RFC 3339 time (2024-05-01T12:00:00Z) or a "
                                   "duration back from now (10m, 2h, 1d)");
  }
  auto since = now - *ago;
  int64_t since_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(since.time_since_epoch()).count();
  return google::protobuf::util::TimeUtil::MillisecondsToTimestamp(since_ms);
}

}  // namespace cairn::controlplane::cli
