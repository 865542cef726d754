// trace::origin_text and friends: what recorded a trace, as its metadata says.
#include <catch2/catch.hpp>

#include "sim/trace/origin.hpp"

using namespace tcpsim::trace;

TEST_CASE("A trace without metadata is the model's", "[origin]") {
  const Trace t;
  CHECK(origin_text(t) == "model");
  CHECK_FALSE(from_kernel(t));
  CHECK(meta_value(t, "source").empty());
}

TEST_CASE("A kernel's trace is named by its release and HZ, whatever else its metadata holds", "[origin]") {
  Trace t;
  t.set_meta("source", "kernel");
  t.set_meta("kernel", "6.18.44");
  t.set_meta("hz", "250 (config)");
  t.set_meta("end", "stop time");
  t.set_meta("relay", "6 packets written, late by median 101 us, p99 634 us, max 634 us");
  CHECK(origin_text(t) == "Linux kernel 6.18.44, HZ 250 (config)");
  CHECK(from_kernel(t));
  CHECK(meta_value(t, "relay") == "6 packets written, late by median 101 us, p99 634 us, max 634 us");
  CHECK(meta_value(t, "seed").empty());
}

TEST_CASE("Another source is named as its metadata spells it", "[origin]") {
  Trace t;
  t.set_meta("source", "ns-3");
  t.set_meta("kernel", "5.4");
  t.set_meta("hz", "100");
  CHECK(origin_text(t) == "ns-3, kernel 5.4, HZ 100");
  CHECK_FALSE(from_kernel(t));
  Trace only_hz;
  only_hz.set_meta("hz", "1000");
  CHECK(origin_text(only_hz) == "HZ 1000");
}
