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

TEST_CASE("A kernel trace's tick phase is read from its metadata, and only when all of it is there", "[origin]") {
  Trace t;
  t.set_meta("source", "kernel");
  t.set_meta("hz", "250 (config)");
  CHECK_FALSE(tick_phase(t));
  t.set_meta("jiffies_at_start", "4302735937");
  t.set_meta("tick_offset_ns", "1500000");
  const auto p = tick_phase(t);
  REQUIRE(p);
  CHECK(p->hz == 250);
  CHECK(p->jiffies_at_start == 4302735937u);
  CHECK(p->tick_offset == tcpsim::sim::Duration::ns(1'500'000));
  // An offset past the end of its tick, or an HZ that is not a number, is no phase.
  Trace bad = t;
  bad.set_meta("tick_offset_ns", "4000001");
  CHECK_FALSE(tick_phase(bad));
  Trace unknown = t;
  unknown.set_meta("hz", "unknown");
  CHECK_FALSE(tick_phase(unknown));
}

TEST_CASE("A kernel trace's relay lateness is the median its meta 'relay' states", "[origin]") {
  Trace t;
  CHECK_FALSE(relay_lateness(t));
  t.set_meta("relay", "15 packets written, late by median 178 us, p99 2647 us, max 2647 us");
  CHECK(relay_lateness(t) == tcpsim::sim::Duration::us(178));
  Trace none;
  none.set_meta("relay", "0 packets written, late by median 0 us, p99 0 us, max 0 us");
  CHECK_FALSE(relay_lateness(none));  // no packet: nothing measured
  Trace garbled;
  garbled.set_meta("relay", "3 packets written, late by median soon");
  CHECK_FALSE(relay_lateness(garbled));
  garbled.set_meta("relay", "3 packets written, late by median 12 ms");
  CHECK_FALSE(relay_lateness(garbled));
}
