#include "sim/trace/jsonl_read.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string_view>

namespace tcpsim::trace {
namespace {
using J = nlohmann::json;

// One broken rule of a line: thrown inside the reader, turned into a JsonlError at the line.
struct Fail {
  std::string pointer;
  std::string message;
  std::size_t column = 0;
};

// "\"x\"", "-1", "[1,2]": a value as found, cut short when long.
template <class Json>
std::string found(const Json& v) {
  std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

// A key as one reference token of a JSON pointer (RFC 6901): "~" is "~0" and "/" is "~1".
std::string pointer_token(std::string_view key) {
  std::string token;
  for (const char c : key) token += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return token;
}

// The fields of one JSON object, each taken once; whatever is left when done() is called is a
// field this kind of record never has.
class Fields {
 public:
  Fields(const J& object, std::string pointer, std::string what)
      : j_(object), pointer_(std::move(pointer)), what_(std::move(what)) {}

  const J* find(const std::string& key) {
    taken_.insert(key);
    const auto it = j_.find(key);
    return it == j_.end() ? nullptr : &*it;
  }
  const J& need(const std::string& key, const std::string& expected) {
    const J* v = find(key);
    if (v == nullptr) throw Fail{"", "missing field \"" + key + "\" of " + what_ + ": expected " + expected};
    return *v;
  }
  std::uint64_t uint(const std::string& key, std::uint64_t max) { return as_uint(need(key, uint_text(max)), key, max); }
  std::optional<std::uint64_t> opt_uint(const std::string& key, std::uint64_t max) {
    const J* v = find(key);
    return v ? std::optional(as_uint(*v, key, max)) : std::nullopt;
  }
  std::int64_t integer(const std::string& key, std::int64_t min) {
    const J& v = need(key, int_text(min));
    if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<std::uint64_t>() > INT64_MAX) ||
        (!v.is_number_unsigned() && v.get<std::int64_t>() < min))
      throw wrong(key, int_text(min), v);
    return v.get<std::int64_t>();
  }
  std::string text(const std::string& key) { return as_text(need(key, "a string"), key); }
  std::optional<std::string> opt_text(const std::string& key) {
    const J* v = find(key);
    return v ? std::optional(as_text(*v, key)) : std::nullopt;
  }
  bool flag(const std::string& key) {
    const J* v = find(key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) throw wrong(key, "true or false", *v);
    return v->get<bool>();
  }
  void done() const {
    for (const auto& [key, value] : j_.items())
      if (!taken_.contains(key)) throw Fail{ptr(key), "unknown field of " + what_};
  }
  // What the object is, in messages ("a \"send\" record"), once its kind is known.
  void describe(std::string what) { what_ = std::move(what); }
  std::string ptr(const std::string& key) const { return pointer_ + "/" + pointer_token(key); }
  Fail wrong(const std::string& key, const std::string& expected, const J& v) const {
    return Fail{ptr(key), "expected " + expected + ", found " + found(v)};
  }

 private:
  static std::string uint_text(std::uint64_t max) { return "an unsigned integer up to " + std::to_string(max); }
  static std::string int_text(std::int64_t min) { return "an integer of at least " + std::to_string(min); }
  std::uint64_t as_uint(const J& v, const std::string& key, std::uint64_t max) const {
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() > max) throw wrong(key, uint_text(max), v);
    return v.get<std::uint64_t>();
  }
  std::string as_text(const J& v, const std::string& key) const {
    if (!v.is_string()) throw wrong(key, "a string", v);
    return v.get<std::string>();
  }

  const J& j_;
  std::string pointer_;
  std::string what_;
  std::set<std::string> taken_;
};

// One of the names `name_of` gives the values 0..count-1 of E.
template <class E>
E named(Fields& f, const std::string& key, int count, const char* (*name_of)(E)) {
  const std::string text = f.text(key);
  std::string names;
  for (int i = 0; i < count; ++i) {
    const auto e = static_cast<E>(i);
    if (text == name_of(e)) return e;
    names += std::string(i == 0 ? "" : i + 1 == count ? " or " : ", ") + "\"" + name_of(e) + "\"";
  }
  throw f.wrong(key, names, J(text));
}

EffectCause effect_cause(Fields& f, const char* link_name) {
  const std::string text = f.text("cause");
  if (text == link_name) return EffectCause::Link;
  if (text == "fault") return EffectCause::FaultRule;
  throw f.wrong("cause", std::string("\"") + link_name + "\" or \"fault\"", J(text));
}

class Reader {
 public:
  explicit Reader(Trace& t) : t_(t) {}

  Record record(const J& j, std::uint64_t expected_index) {
    if (!j.is_object()) throw Fail{"", "expected a JSON object (one trace record), found " + found(j)};
    Fields f(j, "", "a trace record");
    const std::uint64_t index = f.uint("i", std::numeric_limits<std::uint64_t>::max());
    if (index != expected_index)
      throw Fail{"/i", "expected record index " + std::to_string(expected_index) + " (records are numbered in order from 0), found " +
                           std::to_string(index)};
    const sim::Time time = sim::Time::from_ns(f.integer("t_ns", 0));
    const std::string kind = f.text("kind");
    f.describe("a \"" + kind + "\" record");
    Record r{index, time, body_of(kind, f)};
    f.done();
    return r;
  }

  // The metadata line, {"meta":{...}} and nothing else, every value a string. `ordered` is the
  // same line parsed keeping its keys in order, as the trace keeps them.
  void meta(const J& j, const nlohmann::ordered_json& ordered) {
    static const std::string kExpected = "an object of strings such as {\"source\":\"kernel\"}";
    Fields f(j, "", "the metadata line");
    const J& m = f.need("meta", kExpected);
    if (!m.is_object() || m.empty()) throw f.wrong("meta", kExpected, m);
    f.done();
    for (const auto& [key, value] : ordered["meta"].items()) {
      if (!value.is_string()) throw Fail{f.ptr("meta") + "/" + pointer_token(key), "expected a string, found " + found(value)};
      t_.set_meta(key, value.get<std::string>());
    }
  }

 private:
  Body body_of(const std::string& kind, Fields& f) {
    if (kind == "send") {
      SegmentSent s{};
      s.node = node(f);
      s.id = segment_id(f, "seg");
      s.seg = segment(f);
      s.injected = f.flag("injected");
      if (auto cause = f.opt_text("cause")) s.cause = t_.keep_text(*cause);
      s.retransmission = f.flag("retransmission");
      return s;
    }
    if (kind == "deliver") return SegmentDelivered{segment_id(f, "seg"), node(f)};
    if (kind == "drop") {
      SegmentDropped s{};
      s.node = node(f);
      s.id = segment_id(f, "seg");
      s.reason = named<DropReason>(f, "reason", kDropReasons, to_string);
      s.rule = rule(f, false);
      if (auto toward = f.opt_text("toward")) s.toward = node_named(*toward);
      return s;
    }
    if (kind == "duplicate") {
      SegmentDuplicated s{};
      s.node = node(f);
      s.id = segment_id(f, "seg");
      s.copy = segment_id(f, "copy");
      s.cause = effect_cause(f, "link");
      s.rule = rule(f, false);
      return s;
    }
    if (kind == "delay") {
      SegmentDelayed s{};
      s.node = node(f);
      s.id = segment_id(f, "seg");
      s.cause = effect_cause(f, "reorder");
      s.rule = rule(f, false);
      s.extra = sim::Duration::ns(f.integer("extra_ns", 0));
      return s;
    }
    if (kind == "corrupt") {
      SegmentCorrupted s{};
      s.node = node(f);
      s.id = segment_id(f, "seg");
      s.rule = rule(f, true);
      return s;
    }
    if (kind == "state") {
      StateChanged s{};
      s.node = node(f);
      s.conn = conn(f);
      s.from = t_.keep_text(f.text("from"));
      s.to = t_.keep_text(f.text("to"));
      s.cause = t_.keep_text(f.text("cause"));
      return s;
    }
    if (kind == "timer") {
      TimerEvent s{};
      s.node = node(f);
      s.conn = conn(f);
      s.timer = t_.keep_text(f.text("timer"));
      s.op = named<TimerOp>(f, "op", 3, to_string);
      s.deadline = sim::Time::from_ns(f.integer("deadline_ns", 0));
      if (auto cause = f.opt_text("cause")) s.cause = t_.keep_text(*cause);
      return s;
    }
    if (kind == "app-call") {
      AppCall s{};
      s.node = node(f);
      s.conn = conn(f);
      s.call = t_.keep_text(f.text("call"));
      s.args = f.opt_text("args").value_or("");
      return s;
    }
    if (kind == "app-notify") {
      AppNotify s{};
      s.node = node(f);
      s.conn = conn(f);
      s.notice = named<Notice>(f, "notice", 5, to_string);
      if (f.find("error") != nullptr) s.error = named<AppError>(f, "error", 4, to_string);
      s.bytes = f.opt_uint("bytes", std::numeric_limits<std::uint64_t>::max()).value_or(0);
      return s;
    }
    if (kind == "note") {
      Note s{};
      if (f.find("node") != nullptr) {
        s.node = node(f);
        s.conn = conn(f);
      }
      s.segment = f.opt_uint("seg", kNoSegmentId - 1).value_or(kNoSegmentId);
      s.discarded = f.flag("discarded");
      s.text = f.text("text");
      return s;
    }
    throw f.wrong("kind",
                      "one of \"send\", \"deliver\", \"drop\", \"duplicate\", \"delay\", \"corrupt\", \"state\", "
                      "\"timer\", \"app-call\", \"app-notify\" or \"note\"",
                      J(kind));
  }

  static constexpr SegmentId kNoSegmentId = std::numeric_limits<SegmentId>::max();

  NodeId node_named(const std::string& name) {
    const auto [it, added] = nodes_.try_emplace(name, 0);
    if (added) it->second = t_.add_node(name);
    return it->second;
  }
  NodeId node(Fields& f) { return node_named(f.text("node")); }
  SegmentId segment_id(Fields& f, const std::string& key) { return f.uint(key, kNoSegmentId - 1); }
  // A fault rule's index; `required` where the record always names one.
  int rule(Fields& f, bool required) {
    const auto max = static_cast<std::uint64_t>(std::numeric_limits<int>::max());
    if (required) return static_cast<int>(f.uint("rule", max));
    return static_cast<int>(f.opt_uint("rule", max).value_or(static_cast<std::uint64_t>(kNoRule)));
  }
  net::ConnId conn(Fields& f) {
    const std::string text = f.text("conn");
    const auto c = net::ConnId::parse(text);
    if (!c) throw f.wrong("conn", "\"LOCAL-REMOTE\" endpoints such as \"10.0.0.1:1024-10.0.0.2:80\"", J(text));
    return *c;
  }
  net::Segment segment(Fields& f) {
    net::Segment s{};
    auto endpoint = [&f](const std::string& key) {
      const std::string text = f.text(key);
      const auto e = net::Endpoint::parse(text);
      if (!e) throw f.wrong(key, "an endpoint such as \"10.0.0.1:80\"", J(text));
      return *e;
    };
    const net::Endpoint src = endpoint("src"), dst = endpoint("dst");
    s.src = src.ip;
    s.sport = src.port;
    s.dst = dst.ip;
    s.dport = dst.port;
    const std::string flags = f.text("flags");
    std::string bad;
    const auto parsed = net::Flags::parse(flags, &bad);
    if (!parsed) throw f.wrong("flags", std::string("control bits among ") + net::Flags::kNames + " or \"none\"", J(flags));
    s.flags = *parsed;
    s.seq = net::SeqNum(static_cast<std::uint32_t>(f.uint("seq", UINT32_MAX)));
    s.ack = net::SeqNum(static_cast<std::uint32_t>(f.uint("ack", UINT32_MAX)));
    s.window = static_cast<std::uint16_t>(f.uint("win", UINT16_MAX));
    s.payload_len = static_cast<std::uint32_t>(f.uint("len", UINT32_MAX));
    s.urgent = static_cast<std::uint16_t>(f.opt_uint("urg", UINT16_MAX).value_or(0));
    if (const J* o = f.find("options")) s.options = options(*o, f);
    s.corrupted = f.flag("corrupted");
    return s;
  }
  net::Options options(const J& j, Fields& outer) {
    if (!j.is_object()) throw outer.wrong("options", "an object", j);
    Fields f(j, "/options", "a segment's options");
    net::Options o;
    if (auto mss = f.opt_uint("mss", UINT16_MAX)) o.mss = static_cast<std::uint16_t>(*mss);
    if (auto ws = f.opt_uint("wscale", UINT8_MAX)) o.wscale = static_cast<std::uint8_t>(*ws);
    o.sack_permitted = f.flag("sack_permitted");
    if (const J* ts = f.find("timestamps")) {
      const auto u32 = [](const J& v) { return v.is_number_unsigned() && v.get<std::uint64_t>() <= UINT32_MAX; };
      if (!ts->is_array() || ts->size() != 2 || !u32((*ts)[0]) || !u32((*ts)[1]))
        throw f.wrong("timestamps", "[TSval, TSecr], two unsigned integers up to 4294967295", *ts);
      o.timestamps = net::Timestamps{(*ts)[0].get<std::uint32_t>(), (*ts)[1].get<std::uint32_t>()};
    }
    f.done();
    return o;
  }

  Trace& t_;
  std::map<std::string, NodeId> nodes_;
};

// "syntax error while parsing value - invalid literal; last read: 'x'": nlohmann's message without
// its "[json.exception.parse_error.101] parse error at line 1, column 5: " prefix (the line is ours).
std::string parse_message(const J::parse_error& e) {
  const std::string what = e.what();
  const auto column = what.find("column ");
  const auto colon = what.find(": ", column == std::string::npos ? 0 : column);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

std::string JsonlError::to_string() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  if (column > 0) s += ":" + std::to_string(column);
  s += ": ";
  if (!pointer.empty()) s += pointer + ": ";
  return s + message;
}

JsonlRead read_jsonl(std::istream& in, const std::string& file_name) {
  JsonlRead result;
  Trace t;
  Reader reader(t);
  std::string line;
  std::size_t line_no = 0;
  std::uint64_t records = 0;
  std::size_t meta_line = 0;  // the metadata line's number, 0 before it
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // a blank line (a trailing newline)
    try {
      J j;
      try {
        j = J::parse(line);
      } catch (const J::parse_error& e) {
        throw Fail{"", "invalid JSON: " + parse_message(e), e.byte == 0 ? 1 : e.byte};
      }
      // An object with "meta" is the metadata line, allowed once, ahead of record 0.
      if (j.is_object() && j.contains("meta")) {
        if (records > 0)
          throw Fail{"/meta", "expected metadata only on the first line, before record 0; found it after record " +
                                  std::to_string(records - 1)};
        if (meta_line != 0)
          throw Fail{"/meta", "expected one metadata line, found a second (the first is line " + std::to_string(meta_line) + ")"};
        reader.meta(j, nlohmann::ordered_json::parse(line));
        meta_line = line_no;
        continue;
      }
      Record r = reader.record(j, records);
      t.emit(r.time, std::move(r.body));
      ++records;
    } catch (const Fail& f) {
      result.error = JsonlError{file_name, line_no, f.column, f.pointer, f.message};
      return result;
    }
  }
  if (in.bad()) {
    result.error = JsonlError{file_name, line_no, 0, "", "read error after this line"};
    return result;
  }
  result.trace = std::move(t);
  return result;
}

JsonlRead read_jsonl_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    JsonlRead r;
    r.error = JsonlError{path, 0, 0, "", "cannot open the file"};
    return r;
  }
  return read_jsonl(in, path);
}

}  // namespace tcpsim::trace
