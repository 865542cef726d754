#include "sim/kernel/random.hpp"

#include <bit>

namespace tcpsim::sim {
namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

Rng::Rng(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& w : s_) w = splitmix64(x);
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::uniform_int(std::uint64_t lo, std::uint64_t hi) {
  if (hi <= lo) return lo;
  const std::uint64_t range = hi - lo;
  if (range == UINT64_MAX) return next_u64();
  const std::uint64_t span = range + 1;
  const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % span);  // reject the biased tail
  std::uint64_t v;
  do v = next_u64();
  while (v >= limit);
  return lo + v % span;
}

std::int64_t Rng::symmetric(std::int64_t bound) {
  if (bound <= 0) return 0;
  return static_cast<std::int64_t>(uniform_int(0, 2 * static_cast<std::uint64_t>(bound))) - bound;
}

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

Rng RandomStreams::stream(std::string_view name) const {
  std::uint64_t x = seed_ ^ stable_hash(name);
  return Rng(splitmix64(x));
}

}  // namespace tcpsim::sim
