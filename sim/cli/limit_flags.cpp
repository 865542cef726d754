#include "sim/cli/limit_flags.hpp"

#include <CLI/CLI.hpp>
#include <optional>
#include <string_view>

namespace tcpsim::cli {
namespace {

// A count from 1 to `max`: decimal digits only (no sign, no exponent, no spaces).
std::optional<std::uint64_t> parse_count(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (v > (max - digit) / 10) return std::nullopt;  // also catches values above max
    v = v * 10 + digit;
  }
  if (v == 0) return std::nullopt;
  return v;
}

bool count_flag(const std::string& text, const char* flag, std::uint64_t max, const char* command,
                std::optional<std::uint64_t>& out, std::ostream& err) {
  if (text.empty()) return true;
  out = parse_count(text, max);
  if (out) return true;
  err << command << ": " << flag << ": expected an integer from 1 to " << max << ", found \"" << text << "\"\n";
  return false;
}

}  // namespace

void add_limit_flags(CLI::App& command, LimitFlags& flags) {
  command.add_option("--max-time", flags.time,
                     "Bound on virtual time: no event later than this runs, the run stops there and exits 2 "
                     "(overrides the scenario's \"limits\": {\"time\"}; default " +
                         sim::format_duration(scenario::kDefaultTimeBound) + ")")
      ->type_name("DURATION");
  command.add_option("--max-events", flags.events,
                     "Bound on events executed: the run stops there and exits 2 (overrides \"limits\": "
                     "{\"events\"}; default " +
                         std::to_string(scenario::kDefaultEventBound) + ")")
      ->type_name("N");
  command.add_option("--max-records", flags.records,
                     "Bound on trace records kept in memory: the run stops there and exits 2 (overrides \"limits\": "
                     "{\"records\"}; default " +
                         std::to_string(scenario::kDefaultRecordBound) + ")")
      ->type_name("N");
}

bool parse_limit_flags(const LimitFlags& flags, const char* command, scenario::Limits& out, std::ostream& err) {
  bool ok = true;
  if (!flags.time.empty()) {
    try {
      const sim::Duration d = sim::parse_duration(flags.time);
      if (d.count() == 0 || d > scenario::kMaxTimeBound) {
        err << command << ": --max-time: expected a duration greater than 0s and at most "
            << scenario::kMaxTimeBoundText << ", found \"" << flags.time << "\"\n";
        ok = false;
      } else {
        out.time = d;
      }
    } catch (const sim::DurationError& e) {
      err << command << ": --max-time: " << e.what() << "\n";
      ok = false;
    }
  }
  ok = count_flag(flags.events, "--max-events", scenario::kMaxEventBound, command, out.events, err) && ok;
  ok = count_flag(flags.records, "--max-records", scenario::kMaxRecordBound, command, out.records, err) && ok;
  return ok;
}

}  // namespace tcpsim::cli
