// Seeded random streams.
//
// A run has one seed; every consumer of randomness (a link direction's loss model, its jitter,
// a host's ISN secret, ...) draws from its own stream, derived from the seed and the consumer's
// stable name ("link/client->r1/loss"). Adding a host or a link therefore never changes the
// draws of another: the streams are independent by construction, not by order of creation.
//
// The generator is xoshiro256** seeded through SplitMix64; distributions are implemented here
// (not with <random>'s, whose output differs between standard libraries) so that a seed gives
// the same trace on every machine.
#pragma once

#include <cstdint>
#include <string_view>

namespace tcpsim::sim {

class Rng {
 public:
  Rng() : Rng(0) {}
  explicit Rng(std::uint64_t seed);

  std::uint64_t next_u64();
  // Uniform in [0, 1) with 53 bits of precision.
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // True with probability p (p <= 0: never draws-true, p >= 1: always true; one draw either way).
  bool bernoulli(double p) { return uniform01() < p; }
  // Uniform integer in [lo, hi], unbiased (rejection sampling).
  std::uint64_t uniform_int(std::uint64_t lo, std::uint64_t hi);
  // Uniform integer in [-bound, +bound].
  std::int64_t symmetric(std::int64_t bound);

 private:
  std::uint64_t s_[4];
};

// 64-bit FNV-1a: a stable hash of a name (std::hash is not stable across libraries).
std::uint64_t stable_hash(std::string_view text);

class RandomStreams {
 public:
  explicit RandomStreams(std::uint64_t seed) : seed_(seed) {}
  std::uint64_t seed() const { return seed_; }
  // The stream named `name` (e.g. "link/client->server/loss"). Same seed + name = same stream.
  Rng stream(std::string_view name) const;

 private:
  std::uint64_t seed_;
};

}  // namespace tcpsim::sim
