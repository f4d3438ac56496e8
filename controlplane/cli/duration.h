// Durations and times given on the command line: "30s", "10m", "1h30m", "500ms", RFC 3339
// times for --since, and daily windows "hh:mm-hh:mm" for --snapshot-window.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <google/protobuf/timestamp.pb.h>

#include "dataplane/base/status.h"

namespace cairn::controlplane::cli {

// Parses a duration: one or more <integer><unit> parts with units ms, s, m, h, d ("1h30m",
// "500ms"), or a bare integer meaning seconds ("30"). Zero is allowed; negative values, unknown
// units, empty text and values above 100 years are InvalidArgument naming the text.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Formats a duration compactly for messages: "500ms", "30s", "10m", "1h30m", "2d".
std::string FormatDuration(std::chrono::milliseconds duration);

// Parses --since: an RFC 3339 time ("2024-05-01T12:00:00Z", offsets allowed) or a duration back
// from `now` ("10m" = ten minutes ago). InvalidArgument saying which forms are accepted otherwise.
Result<google::protobuf::Timestamp> ParseSince(std::string_view text,
                                               std::chrono::system_clock::time_point now);

// Checks a daily UTC window "hh:mm-hh:mm" (Cluster.snapshot_window): two-digit hours 00-23 and
// minutes 00-59, at least 60 minutes long counting across midnight ("23:30-00:30" is 60).
// InvalidArgument naming the text and the rule it breaks.
Status CheckDailyWindow(std::string_view text);

}  // namespace cairn::controlplane::cli
