// The scripted sections of a scenario: "faults" (rules that drop, delay, duplicate or corrupt
// matching segments), "inject" (crafted segments) and "notes" (annotations on the timeline).

#include <limits>

#include "sim/scenario/loader_detail.hpp"

namespace tcpsim::scenario::detail {
namespace {

constexpr std::uint64_t kU16 = 65535;
constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kU64 = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t kMaxPayload = 65495;  // 65535 - 20 (IPv4) - 20 (TCP)

sim::Time at_time(sim::Duration d) { return sim::Time::zero() + d; }

void read_match(Reader& r, const Json& v, const std::string& pointer, const NodeTable& table, net::SegmentMatch& m) {
  static const Names kFields{"from", "to", "sport", "dport", "flags", "flags_include",
                             "seq", "ack", "len", "after", "before"};
  Object o(r, v, pointer, kFields, "a match object like {\"from\": \"client\", \"flags\": \"SYN\"}");
  if (!o.valid()) return;
  if (const Json* a = o.get("from")) m.from = table.resolve_address(r, *a, o.ptr("from"));
  if (const Json* a = o.get("to")) m.to = table.resolve_address(r, *a, o.ptr("to"));
  if (const auto p = o.integer("sport", 0, kU16)) m.sport = static_cast<std::uint16_t>(*p);
  if (const auto p = o.integer("dport", 0, kU16)) m.dport = static_cast<std::uint16_t>(*p);
  m.flags = o.flags("flags");
  m.flags_include = o.flags("flags_include");
  if (const auto n = o.integer("seq", 0, kU32)) m.seq = net::SeqNum(static_cast<std::uint32_t>(*n));
  if (const auto n = o.integer("ack", 0, kU32)) m.ack = net::SeqNum(static_cast<std::uint32_t>(*n));
  if (const auto n = o.integer("len", 0, kU32)) m.len = static_cast<std::uint32_t>(*n);
  const auto after = o.duration("after", kTimeOfRun);
  const auto before = o.duration("before", kTimeOfRun);
  if (after) m.after = at_time(*after);
  if (before) m.before = at_time(*before);
  if (after && before && *after >= *before)
    r.error(o.ptr("before"), "the time window is empty: \"before\" (" + sim::format_duration(*before) +
                                 ") must be later than \"after\" (" + sim::format_duration(*after) + ")");
}

// "nth": n (only the n-th match), [n, m] (the n-th to the m-th) or "every".
void read_nth(Reader& r, const Json& v, const std::string& pointer, net::FaultRule& rule) {
  const std::string expected = "expected an integer >= 1, a range [n, m] or \"every\", found ";
  if (v.is_string()) {
    if (v.get_ref<const std::string&>() != "every") r.error(pointer, expected + r.found(v, pointer));
    return;
  }
  if (v.is_number()) {
    if (const auto n = r.integer(v, pointer, 1, kU64)) rule.first = rule.last = *n;
    return;
  }
  if (!v.is_array() || v.size() != 2) {
    r.error(pointer, expected + (v.is_array() ? elements(v.size()) : r.found(v, pointer)));
    return;
  }
  const auto first = r.integer(v[0], pointer + "/0", 1, kU64);
  const auto last = r.integer(v[1], pointer + "/1", 1, kU64);
  if (!first || !last) return;
  if (*first > *last) {
    r.error(pointer, "expected a range [n, m] with n <= m, found [" + std::to_string(*first) + ", " +
                         std::to_string(*last) + "]");
    return;
  }
  rule.first = *first;
  rule.last = *last;
}

void read_options(Object& o, net::Options& options) {
  Reader& r = o.reader();
  if (const auto v = o.integer("mss", 1, kU16)) options.mss = static_cast<std::uint16_t>(*v);
  if (const auto v = o.integer("wscale", 0, 14)) options.wscale = static_cast<std::uint8_t>(*v);
  if (const auto v = o.boolean("sack_permitted")) options.sack_permitted = *v;
  if (const Json* ts = o.get("timestamps")) {
    const std::string p = o.ptr("timestamps");
    if (!ts->is_array() || ts->size() != 2) {
      r.error(p, "expected [val, ecr], two integers in [0, 4294967295], found " +
                     (ts->is_array() ? elements(ts->size()) : r.found(*ts, p)));
      return;
    }
    const auto val = r.integer((*ts)[0], p + "/0", 0, kU32);
    const auto ecr = r.integer((*ts)[1], p + "/1", 0, kU32);
    if (val && ecr) options.timestamps = net::Timestamps{static_cast<std::uint32_t>(*val), static_cast<std::uint32_t>(*ecr)};
  }
}

// "payload" (ASCII text carried as bytes) and "len" (the payload length); either, or both if
// they agree.
void read_payload(Object& o, net::Segment& seg) {
  Reader& r = o.reader();
  std::optional<std::string> payload;
  if (const Json* v = o.get("payload")) {
    const std::string p = o.ptr("payload");
    payload = r.string(*v, p);
    if (payload) {
      for (std::size_t i = 0; i < payload->size(); ++i)
        if (static_cast<unsigned char>((*payload)[i]) >= 0x80) {
          r.error(p, "expected ASCII text, found a non-ASCII character at index " + std::to_string(i) +
                         "");
          payload.reset();
          break;
        }
    }
    if (payload && payload->size() > kMaxPayload) {
      r.error(p, "the payload is " + std::to_string(payload->size()) + " bytes; a segment carries at most " +
                     std::to_string(kMaxPayload));
      payload.reset();
    }
  }
  const auto len = o.integer("len", 0, kMaxPayload);
  if (len && payload && *len != payload->size()) {
    r.error(o.ptr("len"), "\"len\" is " + std::to_string(*len) + " but the payload is " + std::to_string(payload->size()) +
                              " bytes long; give one of them, or make them agree");
    return;
  }
  if (payload) {
    seg.payload_len = static_cast<std::uint32_t>(payload->size());
    seg.payload = net::Payload(std::vector<std::uint8_t>(payload->begin(), payload->end()));
  } else if (len) {
    seg.payload_len = static_cast<std::uint32_t>(*len);
  }
}

}  // namespace

void read_faults(Object& top, Scenario& out, const NodeTable& table) {
  Reader& r = top.reader();
  const Json* list = top.get("faults");
  if (list == nullptr || r.array(*list, top.ptr("faults"), "fault rules") == nullptr) return;
  static const Names kFields{"action", "delay", "match", "nth"};
  static const Names kActions{"drop", "delay", "duplicate", "corrupt"};
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string pointer = top.ptr("faults") + "/" + std::to_string(i);
    Object o(r, (*list)[i], pointer, kFields, "a fault rule object like {\"action\": \"drop\", \"match\": {\"flags\": \"SYN\"}}");
    if (!o.valid()) continue;
    net::FaultRule rule;
    std::optional<std::string> action;
    if (const Json* a = o.require("action", "one of \"drop\", \"delay\", \"duplicate\" or \"corrupt\""))
      action = r.choice(*a, o.ptr("action"), kActions, "action");
    if (action == "drop") rule.action = trace::FaultAction::Drop;
    if (action == "delay") rule.action = trace::FaultAction::Delay;
    if (action == "duplicate") rule.action = trace::FaultAction::Duplicate;
    if (action == "corrupt") rule.action = trace::FaultAction::Corrupt;
    if (action == "delay") {
      if (const Json* d = o.require("delay", "how long to hold the segment back, e.g. \"50ms\""))
        if (const auto v = r.duration(*d, o.ptr("delay"), kLinkDurationPositive)) rule.delay = *v;
    } else if (action && o.get("delay") != nullptr) {
      r.error(o.ptr("delay"), "\"delay\" belongs only to rules with \"action\": \"delay\"; this rule's action is " +
                                  quote(*action));
    }
    if (const Json* m = o.get("match")) read_match(r, *m, o.ptr("match"), table, rule.match);
    if (const Json* n = o.get("nth")) read_nth(r, *n, o.ptr("nth"), rule);
    out.faults.push_back(std::move(rule));
  }
}

void read_injections(Object& top, Scenario& out, const NodeTable& table) {
  Reader& r = top.reader();
  const Json* list = top.get("inject");
  if (list == nullptr || r.array(*list, top.ptr("inject"), "injections") == nullptr) return;
  static const Names kFields{"at", "src", "dst", "via", "sport", "dport", "seq", "ack",
                             "flags", "window", "urgent", "options", "len", "payload"};
  static const Names kOptionFields{"mss", "wscale", "sack_permitted", "timestamps"};
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string pointer = top.ptr("inject") + "/" + std::to_string(i);
    Object o(r, (*list)[i], pointer, kFields,
             "an injection object like {\"at\": \"10ms\", \"src\": \"client\", \"dst\": \"server\", \"sport\": 1234, "
             "\"dport\": 80, \"flags\": \"SYN\"}");
    if (!o.valid()) continue;
    net::Injection inj;
    net::Segment& seg = inj.segment;
    seg.window = 65535;
    if (const Json* v = o.require("at", "when the segment is sent, e.g. \"10ms\""))
      if (const auto d = r.duration(*v, o.ptr("at"), kTimeOfRun)) inj.at = at_time(*d);
    std::optional<net::Ipv4> src, dst;
    if (const Json* v = o.require("src", "the source: a node name or an IPv4 address"))
      src = table.resolve_address(r, *v, o.ptr("src"));
    if (const Json* v = o.require("dst", "the destination: a node name or an IPv4 address"))
      dst = table.resolve_address(r, *v, o.ptr("dst"));
    if (src) seg.src = *src;
    if (dst) seg.dst = *dst;
    if (const Json* v = o.get("via")) {
      if (const auto via = table.node_name(r, *v, o.ptr("via"))) inj.via = *via;
    } else if (src) {
      if (const auto owner = table.by_ip.find(src->value); owner != table.by_ip.end()) {
        inj.via = owner->second;
      } else {
        r.errors().add(o.ptr("via"), At::Object,
                       "missing required field \"via\": no node owns the source address " + src->to_string() +
                           ", so name the node where the segment enters the network");
      }
    }
    if (const Json* v = o.require("sport", "the source port, 0..65535"))
      if (const auto p = r.integer(*v, o.ptr("sport"), 0, kU16)) seg.sport = static_cast<std::uint16_t>(*p);
    if (const Json* v = o.require("dport", "the destination port, 0..65535"))
      if (const auto p = r.integer(*v, o.ptr("dport"), 0, kU16)) seg.dport = static_cast<std::uint16_t>(*p);
    if (const auto n = o.integer("seq", 0, kU32)) seg.seq = net::SeqNum(static_cast<std::uint32_t>(*n));
    if (const auto n = o.integer("ack", 0, kU32)) seg.ack = net::SeqNum(static_cast<std::uint32_t>(*n));
    if (const auto f = o.flags("flags")) seg.flags = *f;
    if (const auto n = o.integer("window", 0, kU16)) seg.window = static_cast<std::uint16_t>(*n);
    if (const auto n = o.integer("urgent", 0, kU16)) seg.urgent = static_cast<std::uint16_t>(*n);
    if (const Json* v = o.get("options")) {
      Object opts(r, *v, o.ptr("options"), kOptionFields, "an options object like {\"mss\": 1460, \"wscale\": 7}");
      if (opts.valid()) read_options(opts, seg.options);
    }
    read_payload(o, seg);
    out.injections.push_back(std::move(inj));
  }
}

void read_notes(Object& top, Scenario& out) {
  Reader& r = top.reader();
  const Json* list = top.get("notes");
  if (list == nullptr || r.array(*list, top.ptr("notes"), "notes") == nullptr) return;
  static const Names kFields{"at", "text"};
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string pointer = top.ptr("notes") + "/" + std::to_string(i);
    Object o(r, (*list)[i], pointer, kFields, "a note object like {\"at\": \"10ms\", \"text\": \"the SYN is lost\"}");
    if (!o.valid()) continue;
    ScenarioNote note;
    if (const Json* v = o.require("at", "when the note applies, e.g. \"10ms\""))
      if (const auto d = r.duration(*v, o.ptr("at"), kTimeOfRun)) note.at = at_time(*d);
    if (const Json* v = o.require("text", "the note's text"))
      if (const auto t = r.non_empty_string(*v, o.ptr("text"))) note.text = *t;
    out.notes.push_back(std::move(note));
  }
}

}  // namespace tcpsim::scenario::detail
