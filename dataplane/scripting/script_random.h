// ScriptRandom: the generator behind math.random and math.randomseed in scripts and functions.
// It is Redis 7.0's redisLrand48 (rand.c): drand48's 48-bit linear congruential generator, so the
// same seed gives the same sequence as redis-server on every platform. One per server, shared by
// the EVAL and function interpreters and never reseeded between runs (Redis 7.0 does not either).
#pragma once

#include <cstdint>

namespace cairn::scripting {

class ScriptRandom {
 public:
  // The largest value Next() returns (Redis's REDIS_LRAND48_MAX).
  static constexpr int32_t kMax = INT32_MAX;

  // The next value in 0..kMax (lrand48: the top 31 of the 48 state bits).
  int32_t Next();
  // math.randomseed(seed): restarts the sequence as srand48(seed) does.
  void Seed(int32_t seed);

 private:
  uint64_t state_ = 0x1234ABCD330EULL;  // drand48's initial state before any srand48
};

}  // namespace cairn::scripting
