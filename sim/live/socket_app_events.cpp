// The line format of the live apps' events (format_app_event / parse_app_event), what of a
// script cannot be played on sockets, and the model's texts for a listener's state changes.
#include <nlohmann/json.hpp>

#include <array>
#include <limits>

#include "models/tcp/state.hpp"
#include "sim/live/socket_apps.hpp"

namespace tcpsim::live {
namespace {
using J = nlohmann::ordered_json;

// The calls TcpStack reports (models/tcp/stack.cpp); a parsed AppCall points into this table.
constexpr std::array<std::string_view, 9> kCalls = {"listen", "accept",   "connect", "send",      "receive",
                                                    "close",  "shutdown", "abort",   "setsockopt"};
// The causes of a listener's own state changes in the model (models/tcp/user_calls.cpp).
constexpr std::string_view kOpenPassive = "§3.10.1 OPEN (passive) -> LISTEN";
constexpr std::string_view kCloseListen = "§3.10.4 CLOSE in LISTEN -> CLOSED";
constexpr std::string_view kAbortListen = "§3.10.5 ABORT in LISTEN/SYN-SENT -> CLOSED, no segment";
constexpr std::array<std::string_view, 3> kCauses = {kOpenPassive, kCloseListen, kAbortListen};

std::string conn_text(const net::ConnId& c) { return c.local.to_string() + "-" + c.remote.to_string(); }

struct Put {
  J& j;
  void operator()(const trace::AppCall& b) {
    j["node"] = b.node;
    j["conn"] = conn_text(b.conn);
    j["call"] = b.call;
    if (!b.args.empty()) j["args"] = b.args;
  }
  void operator()(const trace::AppNotify& b) {
    j["node"] = b.node;
    j["conn"] = conn_text(b.conn);
    j["notice"] = trace::to_string(b.notice);
    if (b.error != trace::AppError::None) j["error"] = trace::to_string(b.error);
    if (b.bytes != 0) j["bytes"] = b.bytes;
  }
  void operator()(const trace::StateChanged& b) {
    j["node"] = b.node;
    j["conn"] = conn_text(b.conn);
    j["from"] = b.from;
    j["to"] = b.to;
    j["cause"] = b.cause;
  }
  void operator()(const trace::Note& b) {
    if (b.node != trace::kNoNode) {
      j["node"] = b.node;
      j["conn"] = conn_text(b.conn);
    }
    if (b.segment != UINT64_MAX) j["seg"] = b.segment;
    if (b.discarded) j["discarded"] = true;
    j["text"] = b.text;
  }
  // Segments, timers: not the apps' to report (the kind alone is written; parsing refuses it).
  template <class Other>
  void operator()(const Other&) {}
};

// A broken rule of a line, thrown while parsing it.
struct Bad {
  std::string message;
};

std::string found(const J& v) {
  std::string text = v.dump(-1, ' ', false, J::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

// The fields of the line's object, each read once; done() refuses the ones no reader took.
class Fields {
 public:
  explicit Fields(const J& j) : j_(j) {}
  const J* find(const char* key) {
    taken_.push_back(key);
    const auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  const J& need(const char* key, const char* expected) {
    const J* v = find(key);
    if (v == nullptr) throw Bad{std::string("missing \"") + key + "\": expected " + expected};
    return *v;
  }
  std::string text(const char* key) {
    const J& v = need(key, "a string");
    if (!v.is_string()) throw wrong(key, "a string", v);
    return v.get<std::string>();
  }
  std::uint64_t uint(const J& v, const char* key, std::uint64_t max) const {
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() > max)
      throw wrong(key, "an unsigned integer up to " + std::to_string(max), v);
    return v.get<std::uint64_t>();
  }
  void done() const {
    for (const auto& item : j_.items()) {
      bool known = false;
      for (const std::string& k : taken_) known = known || k == item.key();
      if (!known) throw Bad{"unknown field \"" + item.key() + "\""};
    }
  }
  static Bad wrong(const std::string& key, const std::string& expected, const J& v) {
    return Bad{"\"" + key + "\": expected " + expected + ", found " + found(v)};
  }

 private:
  const J& j_;
  std::vector<std::string> taken_;
};

// `text` as one of `table`'s entries (static storage), or a complaint listing them.
template <std::size_t N>
std::string_view one_of(const std::array<std::string_view, N>& table, const std::string& text, const char* key) {
  for (const std::string_view t : table)
    if (t == text) return t;
  std::string names;
  for (std::size_t i = 0; i < N; ++i) names += std::string(i == 0 ? "" : ", ") + "\"" + std::string(table[i]) + "\"";
  throw Fields::wrong(key, "one of " + names, J(text));
}

std::string_view state_name(const std::string& text, const char* key) {
  for (const tcp::State s : tcp::kAllStates)
    if (tcp::trace_name(s) == text) return tcp::trace_name(s);
  throw Fields::wrong(key, "a state such as \"LISTEN\"", J(text));
}

template <class E>
E named(const std::string& text, const char* key, int count, const char* (*name_of)(E)) {
  for (int i = 0; i < count; ++i)
    if (text == name_of(static_cast<E>(i))) return static_cast<E>(i);
  throw Fields::wrong(key, "a name such as \"" + std::string(name_of(static_cast<E>(0))) + "\"", J(text));
}

trace::NodeId node(Fields& f) {
  return static_cast<trace::NodeId>(f.uint(f.need("node", "a node number"), "node", trace::kNoNode - 1));
}

net::ConnId conn(Fields& f) {
  const std::string text = f.text("conn");
  const auto c = net::ConnId::parse(text);
  if (!c) throw Fields::wrong("conn", "\"LOCAL-REMOTE\" such as \"10.0.0.1:1024-10.0.0.2:80\"", J(text));
  return *c;
}

trace::Body body(const std::string& kind, Fields& f) {
  if (kind == "app-call") {
    trace::AppCall b{};
    b.node = node(f);
    b.conn = conn(f);
    b.call = one_of(kCalls, f.text("call"), "call");
    if (f.find("args") != nullptr) b.args = f.text("args");
    return b;
  }
  if (kind == "app-notify") {
    trace::AppNotify b{};
    b.node = node(f);
    b.conn = conn(f);
    b.notice = named<trace::Notice>(f.text("notice"), "notice", 5, trace::to_string);
    if (f.find("error") != nullptr) b.error = named<trace::AppError>(f.text("error"), "error", 4, trace::to_string);
    if (const J* v = f.find("bytes")) b.bytes = f.uint(*v, "bytes", std::numeric_limits<std::uint64_t>::max());
    return b;
  }
  if (kind == "state") {
    trace::StateChanged b{};
    b.node = node(f);
    b.conn = conn(f);
    b.from = state_name(f.text("from"), "from");
    b.to = state_name(f.text("to"), "to");
    b.cause = one_of(kCauses, f.text("cause"), "cause");
    return b;
  }
  if (kind == "note") {
    trace::Note b{};
    if (f.find("node") != nullptr) {
      b.node = node(f);
      b.conn = conn(f);
    }
    if (const J* v = f.find("seg")) b.segment = f.uint(*v, "seg", UINT64_MAX - 1);
    if (const J* v = f.find("discarded")) {
      if (!v->is_boolean()) throw Fields::wrong("discarded", "true or false", *v);
      b.discarded = v->get<bool>();
    }
    b.text = f.text("text");
    return b;
  }
  throw Fields::wrong("kind", "\"app-call\", \"app-notify\", \"state\" or \"note\"", J(kind));
}

AppEvent event(const J& j) {
  if (!j.is_object()) throw Bad{"expected a JSON object, found " + found(j)};
  Fields f(j);
  AppEvent e;
  const J& t = f.need("mono_ns", "an integer (CLOCK_MONOTONIC ns)");
  if (!t.is_number_integer() || (t.is_number_unsigned() && t.get<std::uint64_t>() > INT64_MAX))
    throw Fields::wrong("mono_ns", "an integer (CLOCK_MONOTONIC ns)", t);
  e.mono_ns = t.get<std::int64_t>();
  if (const J* idle = f.find("idle")) {
    if (!idle->is_boolean()) throw Fields::wrong("idle", "true or false", *idle);
    e.idle = idle->get<bool>();
  }
  if (f.find("kind") != nullptr) e.body = body(f.text("kind"), f);
  if (!e.body && !e.idle) throw Bad{"neither \"kind\" nor \"idle\": the line reports nothing"};
  f.done();
  return e;
}

}  // namespace

std::optional<std::string> unsupported_on_sockets(const app::Step& step) {
  const bool opens = step.action == app::Step::Do::Listen || step.action == app::Step::Do::Connect;
  if (opens && step.iss) {
    return std::string("\"iss\" on a ") + app::to_string(step.action) +
           " step: Linux picks its own initial sequence numbers (a keyed hash of the 4-tuple and a clock, RFC 6528); "
           "no socket option sets one for a connection that makes a handshake";
  }
  return std::nullopt;
}

trace::StateChanged listener_opened(trace::NodeId node, net::Endpoint local) {
  return {node, {local, {}}, tcp::trace_name(tcp::State::Closed), tcp::trace_name(tcp::State::Listen), kOpenPassive};
}

trace::StateChanged listener_closed(trace::NodeId node, net::Endpoint local, bool aborted) {
  return {node, {local, {}}, tcp::trace_name(tcp::State::Listen), tcp::trace_name(tcp::State::Closed),
          aborted ? kAbortListen : kCloseListen};
}

std::string format_app_event(const AppEvent& e) {
  J j;
  j["mono_ns"] = e.mono_ns;
  if (e.idle) j["idle"] = *e.idle;
  if (e.body) {
    j["kind"] = trace::kind_name(*e.body);
    std::visit(Put{j}, *e.body);
  }
  return j.dump(-1, ' ', false, J::error_handler_t::replace);
}

std::optional<AppEvent> parse_app_event(std::string_view line, std::string* error) {
  try {
    J j;
    try {
      j = J::parse(line);
    } catch (const J::parse_error& e) {
      throw Bad{std::string("invalid JSON: ") + e.what()};
    }
    return event(j);
  } catch (const Bad& b) {
    if (error) *error = b.message;
    return std::nullopt;
  }
}

}  // namespace tcpsim::live
