// The "expect" and "fingerprint" sections (expect.hpp; the format is in scenarios/README.md).

#include <algorithm>
#include <limits>

#include "sim/scenario/loader_detail.hpp"

namespace tcpsim::scenario::detail {
namespace {

const Names kStates{"CLOSED",     "LISTEN",     "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
                    "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",  "LAST-ACK",     "TIME-WAIT"};

// A state in RFC spelling ("TIME-WAIT"; "TIME_WAIT" is accepted too) -> the trace spelling.
std::optional<std::string> state_name(Reader& r, const Json& v, const std::string& pointer) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    std::replace(s.begin(), s.end(), '_', '-');
    if (std::find(kStates.begin(), kStates.end(), s) != kStates.end()) {
      std::replace(s.begin(), s.end(), '-', '_');
      return s;
    }
  }
  const auto s = r.choice(v, pointer, kStates, "state");
  (void)s;
  return std::nullopt;
}

// An object used as a map (keys are data, not field names): only its type is checked.
struct MapObject {
  bool valid;
  std::string pointer;
  std::string ptr(const std::string& key) const { return pointer + "/" + pointer_escape(key); }
};
MapObject map_object(Reader& r, const Json& v, const std::string& pointer, std::string_view what) {
  if (!v.is_object()) {
    r.error(pointer, "expected " + std::string(what) + ", found " + r.found(v, pointer));
    return {false, pointer};
  }
  return {true, pointer};
}

// "host[:port][>peer[:port]]"
std::optional<EndpointKey> endpoint_key(Reader& r, const std::string& text, const std::string& pointer,
                                        const NodeTable& table, const Json* at = nullptr) {
  EndpointKey k;
  k.text = text;
  const std::string what = "expected an endpoint \"host\", \"host:port\" or \"host>peer\" (e.g. \"server:80>client\"), found " + quote(text);
  auto error = [&](const std::string& m) {
    if (at) r.error(pointer, m);
    else r.errors().add(pointer, At::Key, m);
    return std::nullopt;
  };
  auto split = [&](const std::string& s, std::string& host, std::optional<std::uint16_t>& port) {
    const auto colon = s.find(':');
    host = s.substr(0, colon);
    if (colon == std::string::npos) return true;
    const std::string p = s.substr(colon + 1);
    if (p.empty() || p.size() > 5 || !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    const unsigned long n = std::stoul(p);
    if (n == 0 || n > 65535) return false;
    port = static_cast<std::uint16_t>(n);
    return true;
  };
  const auto gt = text.find('>');
  if (!split(text.substr(0, gt), k.host, k.port) || k.host.empty()) return error(what);
  const net::NodeConfig* node = table.find(k.host);
  if ((node == nullptr && !table.is_group_member(k.host)) || (node != nullptr && node->router)) {
    std::string m = "unknown host " + quote(k.host) + " in endpoint " + quote(text);
    if (const std::string s = table.suggest_node(k.host); !s.empty()) m += "; " + s;
    return error(m);
  }
  if (gt != std::string::npos) {
    std::string peer;
    if (!split(text.substr(gt + 1), peer, k.peer_port) || peer.empty()) return error(what);
    const net::NodeConfig* p = table.find(peer);
    if (p && p->ip) k.peer = *p->ip;
    else if (auto ip = net::Ipv4::parse(peer)) k.peer = *ip;
    else return error("unknown peer " + quote(peer) + " in endpoint " + quote(text));
  }
  return k;
}

std::optional<SegmentPattern> pattern(Reader& r, const Json& v, const std::string& pointer, const NodeTable& table,
                                      bool allow_repeat) {
  static const Names kFields{"from", "to", "flags", "flags_include", "seq", "ack", "absolute", "len", "window",
                             "injected", "retransmission", "fate", "dropped_by", "repeat"};
  Object o(r, v, pointer, kFields, "a segment pattern like {\"from\": \"client\", \"flags\": \"SYN\", \"seq\": 0}");
  if (!o.valid()) return std::nullopt;
  SegmentPattern p;
  p.pointer = pointer;
  const std::size_t errors = r.errors().count();
  for (const char* f : {"from", "to"})
    if (const Json* x = o.get(f)) {
      if (table.resolve_address(r, *x, o.ptr(f))) (std::string_view(f) == "from" ? p.from : p.to) = x->get<std::string>();
    }
  p.flags = o.flags("flags");
  p.flags_include = o.flags("flags_include");
  constexpr std::uint64_t kMax32 = std::numeric_limits<std::uint32_t>::max();
  if (auto n = o.integer("seq", 0, kMax32)) p.seq = static_cast<std::uint32_t>(*n);
  if (auto n = o.integer("ack", 0, kMax32)) p.ack = static_cast<std::uint32_t>(*n);
  if (auto b = o.boolean("absolute")) p.absolute = *b;
  if (auto n = o.integer("len", 0, 65535)) p.len = static_cast<std::uint32_t>(*n);
  if (auto n = o.integer("window", 0, 65535)) p.window = static_cast<std::uint32_t>(*n);
  p.injected = o.boolean("injected");
  // An injected segment belongs to no connection incarnation: it has no relative numbers.
  if (p.injected.value_or(false) && !p.absolute && (p.seq || p.ack))
    r.error(o.ptr(p.seq ? "seq" : "ack"),
            "an injected segment belongs to no connection, so its numbers are absolute: add \"absolute\": true "
            "and give the sequence numbers as crafted");
  p.retransmission = o.boolean("retransmission");
  if (const Json* f = o.get("fate")) {
    if (auto s = r.choice(*f, o.ptr("fate"), {"delivered", "dropped"}, "fate"))
      p.fate = *s == "delivered" ? SegmentPattern::Fate::Delivered : SegmentPattern::Fate::Dropped;
  }
  if (const Json* d = o.get("dropped_by")) {
    static const Names kReasons{"loss", "fault", "queue-overflow", "no-route", "bad-checksum"};
    if (d->is_string() && d->get<std::string>().starts_with("fault ")) {
      p.dropped_by = d->get<std::string>();
    } else if (auto s = r.choice(*d, o.ptr("dropped_by"), kReasons, "drop reason")) {
      p.dropped_by = *s;
    }
  }
  if (const Json* rep = o.get("repeat")) {
    const std::string rp = o.ptr("repeat");
    if (rep->is_string() && (rep->get<std::string>() == "*" || rep->get<std::string>() == "+")) {
      if (!allow_repeat) {
        r.error(rp, "\"*\" and \"+\" are for exact patterns; in a contains pattern give a count");
      } else {
        p.min = rep->get<std::string>() == "*" ? 0 : 1;
        p.max = std::nullopt;
      }
    } else if (auto n = r.integer(*rep, rp, 1, 100000)) {
      p.min = static_cast<std::uint32_t>(*n);
      p.max = p.min;
    }
  }
  if (r.errors().count() != errors) return std::nullopt;
  return p;
}

void read_states(Reader& r, const Json& v, const std::string& pointer, const NodeTable& table, Expectations& e) {
  const MapObject o = map_object(r, v, pointer, "an object of endpoint -> state path, like {\"client\": [\"CLOSED\", \"SYN-SENT\"]}");
  if (!o.valid) return;
  for (const auto& [key, val] : v.items()) {
    const std::string ptr = o.ptr(key);
    auto k = endpoint_key(r, key, ptr, table);
    StatePath p;
    p.pointer = ptr;
    const Json* list = &val;
    if (val.is_object()) {
      static const Names kFields{"exact", "contains"};
      const Object m(r, val, ptr, kFields, "");
      if (val.size() != 1) {
        r.error(ptr, "expected {\"exact\": [...]} or {\"contains\": [...]}");
        continue;
      }
      // The one member may be an unknown field, which the Object has reported already.
      const Json* exact = m.get("exact");
      const Json* contains = m.get("contains");
      if (exact == nullptr && contains == nullptr) continue;
      p.match = contains != nullptr ? Match::Contains : Match::Exact;
      list = contains != nullptr ? contains : exact;
    }
    const std::string lp = list == &val ? ptr : ptr + (p.match == Match::Contains ? "/contains" : "/exact");
    if (!list->is_array() || list->empty()) {
      r.error(lp, "expected a non-empty array of states like [\"CLOSED\", \"SYN-SENT\"], found " + r.found(*list, lp));
      continue;
    }
    bool ok = k.has_value();
    for (std::size_t i = 0; i < list->size(); ++i) {
      auto s = state_name(r, (*list)[i], lp + "/" + std::to_string(i));
      if (s) p.states.push_back(*s);
      else ok = false;
    }
    if (ok) {
      p.endpoint = *k;
      e.states.push_back(std::move(p));
    }
  }
}

void read_final(Reader& r, const Json& v, const std::string& pointer, const NodeTable& table, Expectations& e) {
  const MapObject o = map_object(r, v, pointer, "an object of endpoint -> state, like {\"client\": \"CLOSED\"}");
  if (!o.valid) return;
  for (const auto& [key, val] : v.items()) {
    auto k = endpoint_key(r, key, o.ptr(key), table);
    auto s = state_name(r, val, o.ptr(key));
    if (k && s) e.final_states.push_back({*k, *s, o.ptr(key)});
  }
}

void read_segments(Reader& r, const Json& v, const std::string& pointer, const NodeTable& table, Expectations& e) {
  SegmentLadder l;
  l.pointer = pointer;
  const Json* list = &v;
  std::string lp = pointer;
  if (v.is_object()) {
    static const Names kFields{"exact", "contains"};
    const Object o(r, v, pointer, kFields, "");
    if (v.size() != 1) {
      r.error(pointer, "expected an array of segment patterns, {\"exact\": [...]} or {\"contains\": [...]}");
      return;
    }
    // The one member may be an unknown field, which the Object has reported already.
    const Json* exact = o.get("exact");
    const Json* contains = o.get("contains");
    if (exact == nullptr && contains == nullptr) return;
    l.match = exact != nullptr ? Match::Exact : Match::Contains;
    lp = pointer + (l.match == Match::Exact ? "/exact" : "/contains");
    list = exact != nullptr ? exact : contains;
  }
  if (r.array(*list, lp, "segment patterns") == nullptr) return;
  bool ok = true;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto p = pattern(r, (*list)[i], lp + "/" + std::to_string(i), table, l.match == Match::Exact);
    if (p) l.items.push_back(std::move(*p));
    else ok = false;
  }
  if (ok) e.ladders.push_back(std::move(l));
}

void read_apps_expect(Reader& r, const Json& v, const std::string& pointer, const NodeTable& table, Expectations& e) {
  const MapObject o = map_object(r, v, pointer, "an object of host -> outcome, like {\"client\": {\"connect\": \"ECONNREFUSED\"}}");
  if (!o.valid) return;
  static const Names kFields{"connect", "error", "sent", "received", "received_all_from", "eof"};
  static const Names kConnect{"ok", "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "pending"};
  static const Names kErrors{"none", "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET"};
  for (const auto& [host, val] : v.items()) {
    const std::string ptr = o.ptr(host);
    Object a(r, val, ptr, kFields, "an object like {\"connect\": \"ok\", \"received\": 1000, \"eof\": true}");
    if (!a.valid()) continue;
    AppOutcome out;
    out.host = host;
    out.pointer = ptr;
    const std::size_t errors = r.errors().count();
    if (!table.find(host)) r.errors().add(ptr, At::Key, "unknown host " + quote(host));
    if (const Json* c = a.get("connect")) out.connect = r.choice(*c, a.ptr("connect"), kConnect, "connect outcome");
    if (const Json* c = a.get("error")) out.error = r.choice(*c, a.ptr("error"), kErrors, "error");
    out.sent = a.integer("sent", 0, std::numeric_limits<std::uint64_t>::max());
    out.received = a.integer("received", 0, std::numeric_limits<std::uint64_t>::max());
    if (const Json* h = a.get("received_all_from")) out.received_all_from = table.node_name(r, *h, a.ptr("received_all_from"));
    out.eof = a.boolean("eof");
    if (r.errors().count() == errors) e.apps.push_back(std::move(out));
  }
}

std::optional<EventRef> event_ref(Reader& r, const Json& v, const std::string& pointer, const NodeTable& table) {
  static const Names kFields{"endpoint", "enters", "sends", "nth"};
  Object o(r, v, pointer, kFields,
           "an event like {\"endpoint\": \"client\", \"enters\": \"TIME-WAIT\"} or {\"sends\": {\"from\": \"client\", \"flags\": \"SYN\"}, \"nth\": 2}");
  if (!o.valid()) return std::nullopt;
  EventRef e;
  e.pointer = pointer;
  const std::size_t errors = r.errors().count();
  if (auto n = o.integer("nth", 1, 1000000)) e.nth = static_cast<std::uint32_t>(*n);
  if (const Json* s = o.get("sends")) {
    if (o.get("enters") || o.get("endpoint")) r.error(pointer, "an event is either \"sends\" or \"endpoint\" + \"enters\"");
    e.sends = pattern(r, *s, o.ptr("sends"), table, false);
  } else {
    const Json* ep = o.require("endpoint", "the endpoint, e.g. \"client\"");
    const Json* en = o.require("enters", "the state it enters, e.g. \"TIME-WAIT\"");
    if (ep) {
      if (!ep->is_string()) r.error(o.ptr("endpoint"), "expected an endpoint string, found " + r.found(*ep, o.ptr("endpoint")));
      else e.endpoint = endpoint_key(r, ep->get<std::string>(), o.ptr("endpoint"), table, ep);
    }
    if (en) e.enters = state_name(r, *en, o.ptr("enters"));
  }
  if (r.errors().count() != errors) return std::nullopt;
  return e;
}

void read_timing(Reader& r, const Json& v, const std::string& pointer, const NodeTable& table, Expectations& e) {
  if (r.array(v, pointer, "time constraints") == nullptr) return;
  static const Names kFields{"from", "to", "duration", "tolerance"};
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string ptr = pointer + "/" + std::to_string(i);
    Object o(r, v[i], ptr, kFields, "a time constraint like {\"from\": {...}, \"to\": {...}, \"duration\": \"1s\"}");
    if (!o.valid()) continue;
    const std::size_t errors = r.errors().count();
    Timing t;
    t.pointer = ptr;
    const Json* from = o.require("from", "the event the time is measured from");
    const Json* to = o.require("to", "the event the time is measured to");
    std::optional<EventRef> a, b;
    if (from) a = event_ref(r, *from, o.ptr("from"), table);
    if (to) b = event_ref(r, *to, o.ptr("to"), table);
    if (o.require("duration", "the expected time between the two events, e.g. \"1s\""))
      if (auto d = o.duration("duration", kTimeOfRun)) t.duration = *d;
    if (auto d = o.duration("tolerance", kTimeOfRun)) t.tolerance = *d;
    if (r.errors().count() != errors || !a || !b) continue;
    t.from = *a;
    t.to = *b;
    e.timings.push_back(std::move(t));
  }
}

void read_counters(Reader& r, const Json& v, const std::string& pointer, Expectations& e) {
  static const Names kCounters{"segments",       "retransmissions", "rst",           "challenge_acks",
                               "dropped",        "dropped.loss",    "dropped.fault", "dropped.queue-overflow",
                               "dropped.no-route", "dropped.bad-checksum", "notes.syn_dropped"};
  Object o(r, v, pointer, kCounters, "an object of counter -> value, like {\"retransmissions\": 1}");
  if (!o.valid()) return;
  for (const auto& [name, val] : v.items())
    if (auto n = r.integer(val, o.ptr(name), 0, std::numeric_limits<std::uint32_t>::max()))
      e.counters.push_back({name, *n, o.ptr(name)});
}

// A question's "before": {"record": N}, or an event as "timing" names it.
bool read_before(Reader& r, const Json& v, const std::string& pointer, const NodeTable& table, Question& q) {
  if (v.is_object() && v.contains("record")) {
    static const Names kFields{"record"};
    Object o(r, v, pointer, kFields, "");
    const std::size_t errors = r.errors().count();
    if (auto n = o.integer("record", 0, std::numeric_limits<std::uint64_t>::max() - 1)) q.record = *n;
    return r.errors().count() == errors;
  }
  if (!v.is_object()) {
    r.error(pointer, "expected where the question is asked: {\"record\": N}, {\"sends\": pattern, \"nth\": n} or "
                     "{\"endpoint\": \"client\", \"enters\": \"TIME-WAIT\"}, found " + r.found(v, pointer));
    return false;
  }
  q.event = event_ref(r, v, pointer, table);
  return q.event.has_value();
}

void read_question(Reader& r, const Json& v, const std::string& pointer, const NodeTable& table, Scenario& out) {
  static const Names kFields{"before", "ask", "choices", "answer", "explain"};
  Object o(r, v, pointer, kFields,
           "a question like {\"before\": {\"sends\": {\"from\": \"server\"}}, \"ask\": \"...\", \"choices\": [\"...\", \"...\"], "
           "\"answer\": 1}");
  if (!o.valid()) return;
  const std::size_t errors = r.errors().count();
  Question q;
  q.pointer = pointer;
  if (const Json* b = o.require("before", "where it is asked, e.g. {\"sends\": {\"from\": \"server\", \"flags\": \"FIN,ACK\"}}")) {
    if (read_before(r, *b, o.ptr("before"), table, q)) q.before_json = b->dump();
  }
  if (const Json* a = o.require("ask", "the question's text")) {
    if (auto t = r.non_empty_string(*a, o.ptr("ask"))) q.ask = *t;
  }
  constexpr std::size_t kMaxChoices = 8;
  const Json* c = o.require("choices", "the answers to choose from, e.g. [\"RST\", \"ACK\"]");
  if (c && r.array(*c, o.ptr("choices"), "choices (strings)")) {
    const std::string cp = o.ptr("choices");
    if (c->size() < 2 || c->size() > kMaxChoices) {
      r.error(cp, "expected 2 to " + std::to_string(kMaxChoices) + " choices, found " + std::to_string(c->size()));
    } else {
      for (std::size_t i = 0; i < c->size(); ++i) {
        const std::string ip = cp + "/" + std::to_string(i);
        auto t = r.non_empty_string((*c)[i], ip);
        if (!t) continue;
        if (std::find(q.choices.begin(), q.choices.end(), *t) != q.choices.end())
          r.error(ip, "choice " + quote(*t) + " is given twice; each choice must differ");
        q.choices.push_back(*t);
      }
    }
  }
  if (const Json* a = o.require("answer", "the number of the right choice, counting from 1")) {
    const bool counted = c && c->is_array() && c->size() >= 2 && c->size() <= kMaxChoices;
    const std::size_t n = counted ? c->size() : kMaxChoices;
    const bool whole = a->is_number_integer();
    if (whole && (a->is_number_unsigned() ? a->get<std::uint64_t>() - 1 >= n : true)) {
      r.error(o.ptr("answer"), "answer " + r.number_text(*a, o.ptr("answer")) + " names no choice: " +
                                   (counted ? "there are " + std::to_string(n) + " choices, numbered 1 to " + std::to_string(n)
                                            : "choices are numbered from 1"));
    } else if (auto x = r.integer(*a, o.ptr("answer"), 1, n)) {
      q.answer = static_cast<std::size_t>(*x - 1);
    }
  }
  if (const Json* e = o.get("explain")) {
    if (auto t = r.non_empty_string(*e, o.ptr("explain"))) q.explain = *t;
  }
  if (r.errors().count() == errors) out.questions.push_back(std::move(q));
}

}  // namespace

void read_questions(Object& top, Scenario& out, const NodeTable& table) {
  Reader& r = top.reader();
  const Json* list = top.get("questions");
  if (list == nullptr || r.array(*list, top.ptr("questions"), "questions") == nullptr) return;
  for (std::size_t i = 0; i < list->size(); ++i)
    read_question(r, (*list)[i], top.ptr("questions") + "/" + std::to_string(i), table, out);
}

void read_expect(Object& top, Scenario& out, const NodeTable& table) {
  Reader& r = top.reader();
  if (const Json* f = top.get("fingerprint")) {
    if (auto s = r.non_empty_string(*f, top.ptr("fingerprint"))) out.fingerprint = *s;
  }
  const Json* v = top.get("expect");
  if (v == nullptr) return;
  static const Names kFields{"states", "final", "segments", "apps", "timing", "counters"};
  Object o(r, *v, top.ptr("expect"), kFields, "an object of expectations (see scenarios/README.md)");
  if (!o.valid()) return;
  Expectations& e = out.expect;
  if (const Json* x = o.get("states")) read_states(r, *x, o.ptr("states"), table, e);
  if (const Json* x = o.get("final")) read_final(r, *x, o.ptr("final"), table, e);
  if (const Json* x = o.get("segments")) read_segments(r, *x, o.ptr("segments"), table, e);
  if (const Json* x = o.get("apps")) read_apps_expect(r, *x, o.ptr("apps"), table, e);
  if (const Json* x = o.get("timing")) read_timing(r, *x, o.ptr("timing"), table, e);
  if (const Json* x = o.get("counters")) read_counters(r, *x, o.ptr("counters"), e);
}

}  // namespace tcpsim::scenario::detail
