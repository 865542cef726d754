#include <catch2/catch.hpp>

#include <cmath>

#include "sim/kernel/random.hpp"

using namespace tcpsim::sim;

TEST_CASE("The same seed and stream name give the same draws", "[kernel][random]") {
  RandomStreams a(42), b(42);
  Rng x = a.stream("link/a->b/loss"), y = b.stream("link/a->b/loss");
  for (int i = 0; i < 1000; ++i) REQUIRE(x.next_u64() == y.next_u64());
}

TEST_CASE("Different stream names or seeds give different draws", "[kernel][random]") {
  RandomStreams s(42);
  CHECK(s.stream("link/a->b/loss").next_u64() != s.stream("link/b->a/loss").next_u64());
  CHECK(RandomStreams(1).stream("x").next_u64() != RandomStreams(2).stream("x").next_u64());
}

TEST_CASE("A stream does not depend on which other streams were created first", "[kernel][random]") {
  RandomStreams s(7);
  const auto before = s.stream("link/c->s/loss").next_u64();
  (void)s.stream("link/new->host/loss").next_u64();
  CHECK(s.stream("link/c->s/loss").next_u64() == before);
}

TEST_CASE("Uniform draws are in range and unbiased enough", "[kernel][random]") {
  Rng r(3);
  double sum = 0;
  constexpr int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform01();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
  }
  CHECK(std::abs(sum / n - 0.5) < 0.005);
  for (int i = 0; i < 10000; ++i) {
    const auto v = r.uniform_int(3, 9);
    REQUIRE(v >= 3);
    REQUIRE(v <= 9);
    const auto w = r.symmetric(5);
    REQUIRE(w >= -5);
    REQUIRE(w <= 5);
  }
}

TEST_CASE("The stable hash is FNV-1a and does not change between builds", "[kernel][random]") {
  CHECK(stable_hash("") == 0xcbf29ce484222325ULL);
  CHECK(stable_hash("a") == 0xaf63dc4c8601ec8cULL);
}
