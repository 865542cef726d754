// What the kernel of a live run is (tracefs.hpp kernel_info()): its release, and HZ, the tick
// rate that quantizes its TCP timers (the RTO's minimum, delayed ACKs, TIME_WAIT are counted in
// jiffies), so a live trace can say which tick the kernel's timings fall on.
#include <sys/utsname.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "sim/live/clock.hpp"
#include "sim/live/tracefs.hpp"

namespace tcpsim::live {

namespace {

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::optional<std::string> read_gzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return std::nullopt;
  std::string out;
  char buf[16384];
  int n = 0;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  const bool ok = n == 0;
  gzclose(f);
  if (!ok) return std::nullopt;
  return out;
}

// The number after `key` at the start of a line of `text`.
std::optional<std::int64_t> line_value(std::string_view text, std::string_view key) {
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    if (line.substr(0, key.size()) == key) {
      const std::string_view rest = line.substr(key.size());
      std::int64_t v = 0;
      const auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
      if (ec == std::errc{} && p != rest.data()) return v;
    }
    pos = end + 1;
  }
  return std::nullopt;
}

// One reading of /proc/timer_list: the time it was made ("now at <ns> nsecs") and the jiffies
// counter ("jiffies: <n>", the same on every CPU's section).
std::optional<TickReading> read_ticks() {
  const auto text = read_text("/proc/timer_list");
  if (!text) return std::nullopt;
  const auto now = line_value(*text, "now at ");
  const auto jiffies = line_value(*text, "jiffies: ");
  if (!now || !jiffies || *jiffies < 0) return std::nullopt;
  return TickReading{*now, static_cast<std::uint64_t>(*jiffies)};
}

// TICK_NSEC: the length of a tick in nanoseconds, rounded as the kernel rounds it.
std::int64_t tick_ns(int hz) { return (1'000'000'000 + hz / 2) / hz; }

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

}  // namespace

std::optional<int> config_hz(std::string_view kernel_config) {
  const auto v = line_value(kernel_config, "CONFIG_HZ=");
  if (!v || *v <= 0 || *v > 100000) return std::nullopt;
  return static_cast<int>(*v);
}

std::optional<int> measure_hz() {
  const auto a = read_ticks();
  if (!a) return std::nullopt;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto b = read_ticks();
  if (!b || b->now_ns <= a->now_ns || b->jiffies <= a->jiffies) return std::nullopt;
  const double hz = static_cast<double>(b->jiffies - a->jiffies) * 1e9 / static_cast<double>(b->now_ns - a->now_ns);
  // Over 100 ms a whole jiffy more or less is 4% at HZ=250, so the reading is taken to be the
  // configurable value it is nearest to, when it is within 10% of one (250 and 300 are 18% apart).
  for (const int choice : {100, 250, 300, 1000}) {
    if (std::abs(hz - choice) <= 0.1 * choice) return choice;
  }
  return static_cast<int>(std::lround(hz));
}

TickPhase KernelTicks::at(std::int64_t mono_ns) const {
  const std::int64_t tick = tick_ns(hz);
  const std::int64_t d = mono_ns - edge_ns;
  const std::int64_t k = floor_div(d, tick);
  return {jiffies_at_edge + static_cast<std::uint64_t>(k), d - k * tick};
}

std::optional<KernelTicks> fit_ticks(const std::vector<TickReading>& readings, int hz) {
  if (hz <= 0 || readings.size() < 4) return std::nullopt;
  const std::int64_t tick = tick_ns(hz);
  const std::uint64_t ref = readings.front().jiffies;
  // Each reading, moved back to the tick `ref` by whole ticks, lies in [edge, edge + tick). A
  // reading whose jiffies moved on between "now" and the jiffies line (printed after every timer
  // of every CPU: a millisecond later on a busy machine) lands before the edge, never after it.
  // The edge is the reading that starts the tick-long window holding the most readings (the
  // earliest such): an early outlier's window leaves out the readings of the last part of the tick.
  // One early by less than the gap between the latest reading and the tick's end is not told apart
  // (the readings spread over their ticks, so that gap is small).
  std::vector<std::int64_t> x;
  for (const TickReading& r : readings) x.push_back(r.now_ns - static_cast<std::int64_t>(r.jiffies - ref) * tick);
  std::sort(x.begin(), x.end());
  std::size_t first = 0, most = 0;
  for (std::size_t i = 0, end = 0; i < x.size(); ++i) {
    while (end < x.size() && x[end] < x[i] + tick) ++end;
    if (end - i > most) {
      most = end - i;
      first = i;
    }
  }
  // Fewer than 3/4 of them in one tick: no steady clock explains them.
  if (most * 4 < x.size() * 3) return std::nullopt;
  std::int64_t edge = x[first];
  // The tick code starts the periodic tick on a multiple of TICK_NSEC of CLOCK_MONOTONIC
  // (tick_init_jiffy_update(), tick_setup_periodic()), so an edge this close to one is that one.
  const std::int64_t snap = 250'000;
  const std::int64_t rem = edge - floor_div(edge, tick) * tick;
  if (rem < snap) edge -= rem;
  else if (tick - rem < snap) edge += tick - rem;
  return KernelTicks{hz, edge, ref};
}

std::optional<KernelTicks> read_kernel_ticks(int hz) {
  std::vector<std::pair<std::int64_t, TickReading>> timed;  // (how long the read took, reading)
  for (int i = 0; i < 24; ++i) {
    const std::int64_t before = monotonic_ns();
    const auto r = read_ticks();
    if (!r) return std::nullopt;
    timed.emplace_back(monotonic_ns() - before, *r);
    // Sleeps of 0.4 .. 3.7 ms in a fixed order, so the readings fall all over their ticks.
    std::this_thread::sleep_for(std::chrono::microseconds(400 + (i * 7 % 10) * 370));
  }
  // A read that was held up (a busy machine) may print a jiffies value a tick later than its
  // "now": only the quickest reads are fitted, those within 1.5 times the quickest.
  std::int64_t quickest = timed.front().first;
  for (const auto& [took, r] : timed) quickest = std::min(quickest, took);
  std::vector<TickReading> readings;
  for (const auto& [took, r] : timed)
    if (took * 2 <= quickest * 3) readings.push_back(r);
  if (readings.size() < 4)
    for (const auto& [took, r] : timed) readings.push_back(r);
  return fit_ticks(readings, hz);
}

KernelInfo kernel_info() {
  KernelInfo info;
  utsname u{};
  if (::uname(&u) == 0) info.release = u.release;
  // /proc/config.gz exists with CONFIG_IKCONFIG_PROC; distributions install /boot/config-<release>.
  if (const auto config = read_gzip("/proc/config.gz")) info.hz = config_hz(*config);
  if (!info.hz && !info.release.empty()) {
    if (const auto config = read_text("/boot/config-" + info.release)) info.hz = config_hz(*config);
  }
  if (info.hz) {
    info.hz_source = "config";
  } else if ((info.hz = measure_hz())) {
    info.hz_source = "measured";
  }
  return info;
}

}  // namespace tcpsim::live
