// Moving the cursor through a finished trace: the logic behind the window's stepping controls.
//
// The cursor is the number of records revealed (0 .. records().size()); record cursor-1 is the
// event just taken. Every function here reads the trace records and nothing else, and none of
// them needs Qt, so the stepping rules are tested without a window.
//
// Breakpoints are written as sentences, several separated by ';':
//   when client enters TIME-WAIT          (node name, "ip:port" or "node:port"; any state spelling)
//   when 10.0.0.1:40000 enters ESTABLISHED
//   when any enters CLOSED                ("any" or "*": every endpoint)
//   when a segment is dropped
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/kernel/time.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::gui {

// "TIME-WAIT", "time_wait", "Time Wait" -> "TIME_WAIT" (the trace's spelling).
std::string normalize_state(std::string_view name);
// "TIME_WAIT" -> "TIME-WAIT" (the RFC's spelling, for display).
std::string display_state(std::string_view trace_name);

// The endpoint a connection record belongs to, as the views name it: "client:40000".
std::string endpoint_label(const trace::Trace& trace, trace::NodeId node, const net::ConnId& conn);
// True if `who` (a node name, "ip:port", "node:port", "any" or "*") names that endpoint.
bool endpoint_matches(std::string_view who, const trace::Trace& trace, trace::NodeId node, const net::ConnId& conn);

struct EntersState {
  std::string endpoint;  // as typed; see endpoint_matches
  std::string state;     // normalized
};
struct SegmentIsDropped {};
using Breakpoint = std::variant<EntersState, SegmentIsDropped>;

struct ParsedBreakpoints {
  std::vector<Breakpoint> breakpoints;
  std::string error;  // empty when every clause was understood
};
ParsedBreakpoints parse_breakpoints(std::string_view text);
std::string to_string(const Breakpoint& b);

// True if record `index` is where breakpoint `b` stops.
bool hits(const Breakpoint& b, const trace::Trace& trace, std::size_t index);

// The cursor after the next record (at or after `cursor`) that hits one of `bps`, i.e. that
// record's index + 1; nullopt when none does.
std::optional<std::size_t> run_to_breakpoint(const trace::Trace& trace, std::size_t cursor,
                                             const std::vector<Breakpoint>& bps);

// The cursor just after the next / previous StateChanged record. next: the first one at index
// >= cursor; previous: the last one at index < cursor - 1 (so that stepping back from a state
// change lands on the one before it). nullopt when there is none.
std::optional<std::size_t> next_state_change(const trace::Trace& trace, std::size_t cursor);
std::optional<std::size_t> previous_state_change(const trace::Trace& trace, std::size_t cursor);

// The cursor that reveals every record at or before time `t`.
std::size_t cursor_at_time(const trace::Trace& trace, sim::Time t);

// "42" -> the cursor that reveals record #42 (43); "1.5s", "300ms" -> cursor_at_time. nullopt
// (and `error` set) for anything else.
std::optional<std::size_t> parse_jump(const trace::Trace& trace, std::string_view text, std::string* error);

}  // namespace tcpsim::gui
