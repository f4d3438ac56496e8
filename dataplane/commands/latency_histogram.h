// LatencyHistogram: the per-command latency distribution behind LATENCY HISTOGRAM and INFO
// latencystats (Redis 7.0's latency-tracking). Durations are kept in nanoseconds in log-linear
// buckets (128 per power of two, as an HdrHistogram with two significant digits) over
// [1024 ns, 1 s], values outside clamped, as Redis records them. About 20 KB per command, taken
// on its first call. Single-threaded, like the command table that owns it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace cairn::commands {

class LatencyHistogram {
 public:
  // Records one command duration in microseconds.
  void Record(int64_t duration_us);
  // Forgets every sample (CONFIG RESETSTAT).
  void Reset();
  int64_t count() const { return count_; }

  // LATENCY HISTOGRAM's "histogram_usec": (microseconds, cumulative count) at the reporting
  // points 1024 ns * 2^k, labelled as Redis labels them (1, 2, 4, 8, 16, 33, 66, ...), only the
  // points where the cumulative count grows. Empty without samples.
  std::vector<std::pair<int64_t, int64_t>> CumulativeBuckets() const;
  // The latency in microseconds under which `percentile` percent of the samples fall (the
  // upper edge of the bucket holding that sample); 0 without samples.
  double ValueAtPercentileUs(double percentile) const;

 private:
  static constexpr int kSubBuckets = 128;
  static constexpr int kOctaves = 20;  // 2^10 .. 2^30 ns
  static constexpr int kBuckets = kSubBuckets * kOctaves;
  static int BucketOf(int64_t value_ns);
  static int64_t BucketLowNs(int bucket);
  static int64_t BucketHighNs(int bucket);

  // Allocated on the first sample: most commands of the table are never called.
  std::unique_ptr<std::array<int64_t, kBuckets>> counts_;
  int64_t count_ = 0;
};

}  // namespace cairn::commands
