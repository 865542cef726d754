#include "sim/scenario/limits.hpp"

#include <limits>

namespace tcpsim::scenario {

Bounds Bounds::resolve(const Limits& command, const Limits& scenario) {
  Bounds b;
  if (const auto& t = command.time ? command.time : scenario.time) b.time = *t;
  if (const auto& e = command.events ? command.events : scenario.events) b.events = *e;
  if (const auto& r = command.records ? command.records : scenario.records) b.records = *r;
  return b;
}

Limits Limits::none() {
  return {sim::Duration::max(), std::numeric_limits<std::uint64_t>::max(), std::numeric_limits<std::uint64_t>::max()};
}

const char* to_string(Bound b) {
  switch (b) {
    case Bound::Time: return "virtual-time";
    case Bound::Events: return "event";
    case Bound::Records: return "record";
  }
  return "?";
}

std::string BoundHit::what() const {
  const std::string by = " by t=" + sim::format_seconds(at) + " s";
  switch (bound) {
    case Bound::Events:
      return "stopped at the event bound: " + std::to_string(events) + " events executed" + by;
    case Bound::Records:
      return "stopped at the record bound: " + std::to_string(records) + " trace records kept (bound " +
             std::to_string(bounds.records) + ") after " + std::to_string(events) + " events" + by;
    case Bound::Time:
      return "stopped at the virtual-time bound of " + sim::format_duration(bounds.time) + ": the next event is at t=" +
             sim::format_seconds(next.value_or(at)) + " s; " + std::to_string(events) + " events executed" + by;
  }
  return "stopped at a bound";
}

std::string BoundHit::how_to_raise(bool command_line) const {
  std::string flag, field;
  switch (bound) {
    case Bound::Events: flag = "--max-events N"; field = "\"limits\": {\"events\": N}"; break;
    case Bound::Records: flag = "--max-records N"; field = "\"limits\": {\"records\": N}"; break;
    case Bound::Time: flag = "--max-time T"; field = "\"limits\": {\"time\": \"T\"}"; break;
  }
  const std::string end = ", or end the run with \"until\"";
  return command_line ? "raise it with " + flag + " or " + field + end : "raise it with " + field + " in the scenario" + end;
}

}  // namespace tcpsim::scenario
