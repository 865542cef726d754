#include "gui/stepper.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace tcpsim::gui {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// One clause: "when X enters STATE" or "when a segment is dropped" (the "when" is optional).
std::optional<Breakpoint> parse_clause(std::string clause, std::string* error) {
  std::string l = lower(clause);
  if (starts_with(l, "when ")) {
    clause = trim(std::string_view(clause).substr(5));
    l = lower(clause);
  }
  if (l == "a segment is dropped" || l == "segment dropped" || l == "dropped" || l == "drop")
    return SegmentIsDropped{};
  const auto at = l.find(" enters ");
  if (at == std::string::npos || at == 0) {
    *error = "not understood: \"" + clause + "\" (write \"when client enters TIME-WAIT\" or \"when a segment is dropped\")";
    return std::nullopt;
  }
  const std::string who = trim(std::string_view(clause).substr(0, at));
  const std::string state = normalize_state(trim(std::string_view(clause).substr(at + 8)));
  static constexpr std::string_view kStates[] = {"CLOSED",      "LISTEN",     "SYN_SENT",   "SYN_RECEIVED",
                                                 "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
                                                 "CLOSING",     "LAST_ACK",   "TIME_WAIT"};
  if (std::find(std::begin(kStates), std::end(kStates), state) == std::end(kStates)) {
    *error = "unknown state \"" + state + "\" in \"" + clause + "\"";
    return std::nullopt;
  }
  return EntersState{who, state};
}

}  // namespace

std::string normalize_state(std::string_view name) {
  std::string out;
  for (char c : trim(name)) {
    if (c == '-' || c == ' ' || c == '_')
      out += '_';
    else
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string display_state(std::string_view trace_name) {
  std::string out(trace_name);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

std::string endpoint_label(const trace::Trace& trace, trace::NodeId node, const net::ConnId& conn) {
  return trace.node_name(node) + ":" + std::to_string(conn.local.port);
}

bool endpoint_matches(std::string_view who, const trace::Trace& trace, trace::NodeId node, const net::ConnId& conn) {
  if (who == "any" || who == "*") return true;
  if (who == trace.node_name(node)) return true;
  return who == conn.local.to_string() || who == endpoint_label(trace, node, conn);
}

ParsedBreakpoints parse_breakpoints(std::string_view text) {
  ParsedBreakpoints out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find(';', start), text.size());
    const std::string clause = trim(text.substr(start, end - start));
    start = end + 1;
    if (clause.empty()) continue;
    std::string error;
    if (auto b = parse_clause(clause, &error))
      out.breakpoints.push_back(std::move(*b));
    else if (out.error.empty())
      out.error = error;
  }
  return out;
}

std::string to_string(const Breakpoint& b) {
  if (const auto* e = std::get_if<EntersState>(&b)) return "when " + e->endpoint + " enters " + display_state(e->state);
  return "when a segment is dropped";
}

bool hits(const Breakpoint& b, const trace::Trace& trace, std::size_t index) {
  const auto& body = trace.records()[index].body;
  if (std::holds_alternative<SegmentIsDropped>(b)) return std::holds_alternative<trace::SegmentDropped>(body);
  const auto& e = std::get<EntersState>(b);
  const auto* s = std::get_if<trace::StateChanged>(&body);
  return s != nullptr && normalize_state(s->to) == e.state && endpoint_matches(e.endpoint, trace, s->node, s->conn);
}

std::optional<std::size_t> run_to_breakpoint(const trace::Trace& trace, std::size_t cursor,
                                             const std::vector<Breakpoint>& bps) {
  for (std::size_t i = cursor; i < trace.records().size(); ++i)
    for (const auto& b : bps)
      if (hits(b, trace, i)) return i + 1;
  return std::nullopt;
}

std::optional<std::size_t> next_state_change(const trace::Trace& trace, std::size_t cursor) {
  const auto& r = trace.records();
  for (std::size_t i = cursor; i < r.size(); ++i)
    if (std::holds_alternative<trace::StateChanged>(r[i].body)) return i + 1;
  return std::nullopt;
}

std::optional<std::size_t> previous_state_change(const trace::Trace& trace, std::size_t cursor) {
  const auto& r = trace.records();
  if (cursor < 2) return std::nullopt;
  for (std::size_t i = std::min(cursor - 1, r.size()); i-- > 0;)  // i < cursor - 1
    if (std::holds_alternative<trace::StateChanged>(r[i].body)) return i + 1;
  return std::nullopt;
}

std::size_t cursor_at_time(const trace::Trace& trace, sim::Time t) {
  const auto& r = trace.records();
  const auto it = std::upper_bound(r.begin(), r.end(), t, [](sim::Time v, const trace::Record& rec) { return v < rec.time; });
  return static_cast<std::size_t>(it - r.begin());
}

std::optional<std::size_t> parse_jump(const trace::Trace& trace, std::string_view text, std::string* error) {
  const std::string t = trim(text);
  if (t.empty()) {
    *error = "type an event number (42) or a time (1.5s, 300ms)";
    return std::nullopt;
  }
  std::string_view digits = t;
  if (digits.front() == '#') digits.remove_prefix(1);
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec == std::errc() && end == digits.data() + digits.size()) {
    if (n >= trace.records().size()) {
      *error = "event " + std::to_string(n) + " does not exist (the run has " + std::to_string(trace.records().size()) +
               " events, #0 to #" + std::to_string(trace.records().size() - 1) + ")";
      return std::nullopt;
    }
    return static_cast<std::size_t>(n) + 1;
  }
  try {
    return cursor_at_time(trace, sim::Time::zero() + sim::parse_duration(t));
  } catch (const std::exception& e) {
    *error = std::string("not an event number nor a time: ") + e.what();
    return std::nullopt;
  }
}

}  // namespace tcpsim::gui
