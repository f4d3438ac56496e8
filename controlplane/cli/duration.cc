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

namespace {

// "hh:mm" as minutes since midnight, or -1.
int MinuteOfDay(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') {
    return -1;
  }
  static constexpr size_t kDigitAt[] = {0, 1, 3, 4};
  for (size_t i : kDigitAt) {
    if (text[i] < '0' || text[i] > '9') {
      return -1;
    }
  }
  int hours = (text[0] - '0') * 10 + (text[1] - '0');
  int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : -1;
}

}  // namespace

Status CheckDailyWindow(std::string_view text) {
  int start = text.size() == 11 && text[5] == '-' ? MinuteOfDay(text.substr(0, 5)) : -1;
  int end = start < 0 ? -1 : MinuteOfDay(text.substr(6));
  if (end < 0) {
    return Status::InvalidArgument("invalid window '" + std::string(text) +
                                   "': expected hh:mm-hh:mm in UTC, e.g. 05:00-06:00");
  }
  int length = (end - start + 24 * 60) % (24 * 60);
  if (length < 60) {
    return Status::InvalidArgument("invalid window '" + std::string(text) +
                                   "': must be at least 60 minutes long");
  }
  return Status::Ok();
}

}  // namespace cairn::controlplane::cli
