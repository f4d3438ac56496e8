// LatencyHistogram buckets: value v (ns) >= 1024 falls in octave o = floor(log2 v) - 10 and
// sub-bucket (v >> (o + 3)) - 128, so each bucket spans 1/128 of its power of two: the layout of
// an HdrHistogram with two significant digits, whose bucket edges Redis reports.
#include "dataplane/commands/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace cairn::commands {
namespace {

constexpr int64_t kMinValueNs = 1024;
constexpr int64_t kMaxValueNs = 1000LL * 1000 * 1000;

// Redis labels a reporting point L = 2^m ns by HdrHistogram's highest equivalent value at two
// significant digits, L + L/128 - 1, in whole microseconds.
int64_t ReportingHighNs(int64_t level_ns) {
  return level_ns + level_ns / 128 - 1;
}

}  // namespace

int LatencyHistogram::BucketOf(int64_t value_ns) {
  int64_t v = std::clamp(value_ns, kMinValueNs, kMaxValueNs);
  int octave = std::bit_width(static_cast<uint64_t>(v)) - 1 - 10;
  int sub = static_cast<int>(v >> (octave + 3)) - kSubBuckets;
  return octave * kSubBuckets + sub;
}

int64_t LatencyHistogram::BucketLowNs(int bucket) {
  int octave = bucket / kSubBuckets;
  int64_t sub = bucket % kSubBuckets;
  return (kSubBuckets + sub) << (octave + 3);
}

int64_t LatencyHistogram::BucketHighNs(int bucket) {
  return BucketLowNs(bucket) + (int64_t{1} << (bucket / kSubBuckets + 3)) - 1;
}

void LatencyHistogram::Record(int64_t duration_us) {
  if (!counts_) {
    counts_ = std::make_unique<std::array<int64_t, kBuckets>>();
    counts_->fill(0);
  }
  int64_t ns = duration_us > kMaxValueNs / 1000 ? kMaxValueNs : duration_us * 1000;
  (*counts_)[static_cast<size_t>(BucketOf(ns))]++;
  count_++;
}

void LatencyHistogram::Reset() {
  counts_.reset();
  count_ = 0;
}

std::vector<std::pair<int64_t, int64_t>> LatencyHistogram::CumulativeBuckets() const {
  std::vector<std::pair<int64_t, int64_t>> out;
  if (!counts_) {
    return out;
  }
  int64_t cumulative = 0;
  int bucket = 0;
  for (int64_t level = kMinValueNs; cumulative < count_; level *= 2) {
    int64_t high = ReportingHighNs(level);
    int64_t before = cumulative;
    while (bucket < kBuckets && BucketLowNs(bucket) <= high) {
      cumulative += (*counts_)[static_cast<size_t>(bucket)];
      bucket++;
    }
    if (cumulative > before) {
      out.emplace_back(high / 1000, cumulative);
    }
  }
  return out;
}

double LatencyHistogram::ValueAtPercentileUs(double percentile) const {
  if (!counts_ || count_ == 0) {
    return 0;
  }
  double wanted = std::max(1.0, std::floor(percentile / 100.0 * static_cast<double>(count_) + 0.5));
  int64_t cumulative = 0;
  for (int b = 0; b < kBuckets; b++) {
    cumulative += (*counts_)[static_cast<size_t>(b)];
    if (static_cast<double>(cumulative) >= wanted) {
      return static_cast<double>(BucketHighNs(b)) / 1000.0;
    }
  }
  return static_cast<double>(kMaxValueNs) / 1000.0;
}

}  // namespace cairn::commands
