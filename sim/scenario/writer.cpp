#include "sim/scenario/writer.hpp"

#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <vector>

#include "models/net/link_fields.hpp"
#include "models/tcp/param_fields.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/origin.hpp"

namespace tcpsim::scenario {
namespace {

using Json = nlohmann::ordered_json;

std::string duration(sim::Duration d) { return sim::format_duration(d); }
std::string at(sim::Time t) { return sim::format_duration(t.since_start()); }

// "10Mbps": the largest decimal unit that represents the rate exactly.
std::string bandwidth(std::uint64_t bps) {
  static constexpr std::pair<std::uint64_t, const char*> kUnits[] = {
      {1'000'000'000, "Gbps"}, {1'000'000, "Mbps"}, {1'000, "kbps"}, {1, "bps"}};
  for (const auto& [scale, unit] : kUnits)
    if (bps % scale == 0) return std::to_string(bps / scale) + unit;
  return std::to_string(bps) + "bps";
}

Json loss(const net::LossModel& m) {
  if (m.kind == net::LossModel::Kind::Bernoulli) return m.rate;
  Json ge;
  ge["p_good_to_bad"] = m.ge.p_good_to_bad;
  ge["p_bad_to_good"] = m.ge.p_bad_to_good;
  ge["loss_good"] = m.ge.loss_good;
  ge["loss_bad"] = m.ge.loss_bad;
  return Json{{"gilbert_elliott", ge}};
}

// The link parameters that differ from the defaults (the delay is always written: it is what a
// reader looks for first), each by its type (net::visit_link_params).
void put_params(Json& o, const net::LinkParams& p) {
  net::LinkParams def{};
  std::vector<const void*> defaults;
  net::visit_link_params(def, [&](std::string_view, const auto& member, std::string_view) { defaults.push_back(&member); });
  std::size_t i = 0;
  net::visit_link_params(p, [&](std::string_view name, const auto& member, std::string_view) {
    using T = std::decay_t<decltype(member)>;
    const T& d = *static_cast<const T*>(defaults[i++]);
    if (member == d && name != "delay") return;
    const std::string key(name);
    if constexpr (std::is_same_v<T, sim::Duration>) {
      o[key] = duration(member);
    } else if constexpr (std::is_same_v<T, std::optional<sim::Duration>>) {
      o[key] = duration(*member);
    } else if constexpr (std::is_same_v<T, std::uint64_t>) {
      o[key] = bandwidth(member);
    } else if constexpr (std::is_same_v<T, net::LossModel>) {
      o[key] = loss(member);
    } else {
      o[key] = member;  // a count or a probability
    }
  });
}

Json link(const net::LinkConfig& l) {
  Json o;
  o["between"] = Json::array({l.a, l.b});
  if (l.a_to_b == l.b_to_a) {
    put_params(o, l.a_to_b);
  } else {
    Json ab, ba;
    put_params(ab, l.a_to_b);
    put_params(ba, l.b_to_a);
    o["a_to_b"] = ab;
    o["b_to_a"] = ba;
  }
  return o;
}

Json match(const net::SegmentMatch& m) {
  Json o = Json::object();
  if (m.from) o["from"] = m.from->to_string();
  if (m.to) o["to"] = m.to->to_string();
  if (m.sport) o["sport"] = *m.sport;
  if (m.dport) o["dport"] = *m.dport;
  if (m.flags) o["flags"] = m.flags->to_string();
  if (m.flags_include) o["flags_include"] = m.flags_include->to_string();
  if (m.seq) o["seq"] = m.seq->raw();
  if (m.ack) o["ack"] = m.ack->raw();
  if (m.len) o["len"] = *m.len;
  if (m.after) o["after"] = at(*m.after);
  if (m.before) o["before"] = at(*m.before);
  return o;
}

Json fault(const net::FaultRule& f) {
  Json o;
  o["action"] = trace::to_string(f.action);
  if (f.action == trace::FaultAction::Delay) o["delay"] = duration(f.delay);
  o["match"] = match(f.match);
  const bool every_after_first = f.last == std::numeric_limits<std::uint64_t>::max();
  if (f.first == f.last)
    o["nth"] = f.first;
  else if (!(f.first == 1 && every_after_first))
    o["nth"] = Json::array({f.first, f.last});
  return o;
}

Json injection(const net::Injection& inj) {
  const net::Segment& s = inj.segment;
  Json o;
  o["at"] = at(inj.at);
  o["src"] = s.src.to_string();
  o["dst"] = s.dst.to_string();
  o["via"] = inj.via;
  o["sport"] = s.sport;
  o["dport"] = s.dport;
  o["seq"] = s.seq.raw();
  if (s.flags.ack || s.ack.raw() != 0) o["ack"] = s.ack.raw();
  o["flags"] = s.flags.to_string();
  if (s.window != 65535) o["window"] = s.window;
  if (s.urgent != 0) o["urgent"] = s.urgent;
  Json opts = Json::object();
  if (s.options.mss) opts["mss"] = *s.options.mss;
  if (s.options.wscale) opts["wscale"] = *s.options.wscale;
  if (s.options.sack_permitted) opts["sack_permitted"] = true;
  if (s.options.timestamps) opts["timestamps"] = Json::array({s.options.timestamps->val, s.options.timestamps->ecr});
  if (!opts.empty()) o["options"] = opts;
  if (s.payload.has_bytes())
    o["payload"] = std::string(s.payload.bytes().begin(), s.payload.bytes().end());
  else if (s.payload_len != 0)
    o["len"] = s.payload_len;
  return o;
}

// One TCP parameter as the scenario format writes it (scenarios/README.md, "tcp").
struct ParamJson {
  Json& out;
  template <class T>
  void operator()(std::string_view name, const T& v, std::string_view /*help*/) const {
    out[std::string(name)] = value(v);
  }
  static Json value(sim::Duration d) { return sim::format_duration(d); }
  template <class T>
  static Json value(const std::optional<T>& v) {  // null: off, or no limit
    return v ? value(*v) : Json(nullptr);
  }
  static Json value(bool b) { return b; }
  static Json value(int n) { return n; }
  static Json value(std::uint16_t n) { return n; }
  static Json value(std::uint32_t n) { return n; }
  static Json value(std::uint64_t n) { return n; }
  static Json value(const tcp::RetryLimit& l) {
    if (!l.count && !l.duration) return nullptr;
    if (l.count && !l.duration) return *l.count;
    Json o;
    if (l.count) o["count"] = *l.count;
    if (l.duration) o["duration"] = sim::format_duration(*l.duration);
    return o;
  }
  static Json value(tcp::RtoStyle v) { return std::string(tcp::kRtoStyleNames[static_cast<std::size_t>(v)]); }
  static Json value(tcp::DupSynAnswer v) { return std::string(tcp::kDupSynAnswerNames[static_cast<std::size_t>(v)]); }
  static Json value(tcp::ProbeKind v) { return std::string(tcp::kProbeKindNames[static_cast<std::size_t>(v)]); }
  static Json value(tcp::AckPolicyKind v) { return std::string(tcp::kAckPolicyNames[static_cast<std::size_t>(v)]); }
  static Json value(tcp::NagleKind v) { return std::string(tcp::kNagleNames[static_cast<std::size_t>(v)]); }
  static Json value(tcp::CongestionKind v) { return std::string(tcp::kCongestionNames[static_cast<std::size_t>(v)]); }
};

Json params_json(const tcp::TcpParams& p) {
  Json out = Json::object();
  tcp::visit_params(p, ParamJson{out});
  return out;
}

// A host's TCP as the fields of its host object: its profile when it differs from the
// scenario's, and every parameter that differs from that profile.
void put_tcp(Json& host, const scenario::HostTcp& t, scenario::Profile scenario_profile) {
  if (!t.enabled) {
    host["tcp"] = false;
    return;
  }
  const bool linux = t.params.profile == "linux";
  if (linux != (scenario_profile == scenario::Profile::Linux)) host["profile"] = linux ? "linux" : "rfc9293";
  const Json base = params_json(linux ? tcp::TcpParams::linux_profile() : tcp::TcpParams::rfc9293());
  const Json mine = params_json(t.params);
  Json diff = Json::object();
  for (const auto& [name, v] : mine.items())
    if (base[name] != v) diff[name] = v;
  if (!diff.empty()) host["tcp"] = diff;
  if (t.ephemeral_ports) host["ephemeral_ports"] = Json::array({t.ephemeral_ports->first, t.ephemeral_ports->second});
}

Json step(const app::Step& st) {
  using Do = app::Step::Do;
  Json o;
  if (st.at) o["at"] = duration(*st.at);
  if (st.on) o["on"] = app::to_string(*st.on);
  if (st.after != sim::Duration::zero()) o["after"] = duration(st.after);
  o["do"] = app::to_string(st.action);
  switch (st.action) {
    case Do::Listen:
      o["port"] = st.port;
      if (st.backlog != 128) o["backlog"] = st.backlog;
      if (st.iss) o["iss"] = st.iss->raw();
      if (st.linger_zero) o["linger_zero"] = true;
      if (st.nodelay) o["nodelay"] = true;
      break;
    case Do::Connect:
      o["to"] = st.remote.to_string();
      if (st.local_port) o["local_port"] = *st.local_port;
      if (st.iss) o["iss"] = st.iss->raw();
      if (st.linger_zero) o["linger_zero"] = true;
      if (st.nodelay) o["nodelay"] = true;
      if (st.reuse_addr) o["reuse_addr"] = true;
      break;
    case Do::Send:
      o["bytes"] = st.bytes;
      if (st.repeat != 1) o["repeat"] = st.repeat;
      if (st.interval != sim::Duration::zero()) o["interval"] = duration(st.interval);
      break;
    case Do::Receive:
      if (st.bytes != 0) o["bytes"] = st.bytes;
      break;
    default: break;
  }
  return o;
}

void put_script(Json& o, const app::Script& script) {
  if (!script.auto_accept) o["auto_accept"] = false;
  if (!script.auto_receive) o["auto_receive"] = false;
  Json steps = Json::array();
  for (const auto& st : script.steps) steps.push_back(step(st));
  o["steps"] = steps;
}

Json app_json(const scenario::AppConfig& a) {
  Json o;
  o["host"] = a.host;
  if (!a.name.empty()) o["name"] = a.name;
  put_script(o, a.script);
  return o;
}

Json group_json(const scenario::HostGroup& g, scenario::Profile profile) {
  Json o;
  o["name"] = g.name;
  o["count"] = g.count;
  o["ip"] = g.first_ip.to_string();
  Json link;
  link["to"] = g.link_to;
  put_params(link, g.link);
  o["link"] = link;
  put_tcp(o, g.tcp, profile);
  if (g.script) {
    Json app;
    put_script(app, *g.script);
    o["app"] = app;
  }
  if (g.start_spread != sim::Duration::zero()) o["start_spread"] = duration(g.start_spread);
  return o;
}

}  // namespace

std::string expect_block(const std::string& file_text) {
  const Json doc = Json::parse(file_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("expect")) return {};
  return doc["expect"].dump();
}

std::string write_scenario(const scenario::Scenario& s, const std::string& expect_json) {
  Json o;
  o["name"] = s.name;
  if (!s.description.empty()) o["description"] = s.description;
  o["seed"] = s.seed;
  o["profile"] = scenario::to_string(s.profile);
  if (s.until) o["until"] = duration(*s.until);
  if (s.limits.time || s.limits.events || s.limits.records) {
    Json limits = Json::object();
    if (s.limits.time) limits["time"] = duration(*s.limits.time);
    if (s.limits.events) limits["events"] = *s.limits.events;
    if (s.limits.records) limits["records"] = *s.limits.records;
    o["limits"] = limits;
  }
  Json hosts = Json::array();
  Json routers = Json::array();
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    const auto& n = s.nodes[i];
    Json node;
    node["name"] = n.name;
    if (n.ip) node["ip"] = n.ip->to_string();
    if (!n.router && i < s.tcp.size()) put_tcp(node, s.tcp[i], s.profile);
    (n.router ? routers : hosts).push_back(node);
  }
  o["hosts"] = hosts;
  if (!routers.empty()) o["routers"] = routers;
  if (!s.groups.empty()) {
    Json groups = Json::array();
    for (const auto& g : s.groups) groups.push_back(group_json(g, s.profile));
    o["groups"] = groups;
  }
  if (!s.links.empty()) {
    Json links = Json::array();
    for (const auto& l : s.links) links.push_back(link(l));
    o["links"] = links;
  }
  if (!s.faults.empty()) {
    Json faults = Json::array();
    for (const auto& f : s.faults) faults.push_back(fault(f));
    o["faults"] = faults;
  }
  if (!s.injections.empty()) {
    Json inject = Json::array();
    for (const auto& i : s.injections) inject.push_back(injection(i));
    o["inject"] = inject;
  }
  if (!s.apps.empty()) {
    Json apps = Json::array();
    for (const auto& a : s.apps) apps.push_back(app_json(a));
    o["apps"] = apps;
  }
  if (!expect_json.empty()) o["expect"] = Json::parse(expect_json, nullptr, false);
  if (!s.notes.empty()) {
    Json notes = Json::array();
    for (const auto& n : s.notes) notes.push_back(Json{{"at", at(n.at)}, {"text", n.text}});
    o["notes"] = notes;
  }
  if (!s.questions.empty()) {
    Json questions = Json::array();
    for (const auto& q : s.questions) {
      Json j;
      j["before"] = Json::parse(q.before_json, nullptr, false);
      j["ask"] = q.ask;
      j["choices"] = q.choices;
      j["answer"] = q.answer + 1;  // the file counts from 1
      if (!q.explain.empty()) j["explain"] = q.explain;
      questions.push_back(j);
    }
    o["questions"] = questions;
  }
  return o.dump(2) + "\n";
}

std::vector<std::pair<std::string, std::string>> tcp_param_texts(const tcp::TcpParams& p) {
  std::vector<std::pair<std::string, std::string>> out;
  const Json all = params_json(p);
  for (const auto& [name, v] : all.items()) out.emplace_back(name, v.dump());
  return out;
}

std::optional<Scenario> with_tcp(const Scenario& s, Profile profile,
                                 const std::vector<std::pair<std::string, std::string>>& fields, std::string* error) {
  Json o = Json::parse(write_scenario(s));
  o["profile"] = to_string(profile);
  auto set_on = [&](Json& node) {
    if (node.contains("tcp") && node["tcp"].is_boolean()) return;  // no TCP here
    for (const auto& [name, text] : fields) {
      // A value that is not JSON is taken as a string: 30s, linux, ...
      Json v = Json::parse(text, nullptr, false);
      if (v.is_discarded()) v = text;
      node["tcp"][name] = v;
    }
  };
  for (const char* list : {"hosts", "groups"})
    if (o.contains(list))
      for (auto& node : o[list]) set_on(node);
  LoadResult r = load_string(o.dump(2), "what-if");
  if (!r.ok()) {
    const Diagnostic& d = r.errors.front();
    *error = (d.pointer.empty() ? std::string() : d.pointer + ": ") + d.message;
    return std::nullopt;
  }
  return std::move(*r.scenario);
}

std::size_t take_tick_phase(Scenario& s, const trace::TickPhase& phase) {
  std::size_t n = 0;
  const auto take = [&](HostTcp& t) {
    if (!t.enabled || t.params.hz != phase.hz) return;
    t.params.jiffies_at_start = phase.jiffies_at_start;
    t.params.tick_offset = phase.tick_offset;
    ++n;
  };
  for (HostTcp& t : s.tcp) take(t);
  for (HostGroup& g : s.groups) take(g.tcp);
  return n;
}

std::string take_kernel_conditions(Scenario& s, const trace::Trace& kernel) {
  std::string text;
  char t[128];
  if (const auto phase = trace::tick_phase(kernel); phase && take_tick_phase(s, *phase) > 0) {
    std::snprintf(t, sizeof t, ", the kernel's tick phase (jiffies %llu + %.3f ms)",
                  static_cast<unsigned long long>(phase->jiffies_at_start), static_cast<double>(phase->tick_offset.count()) / 1e6);
    text += t;
  }
  if (const auto late = trace::relay_lateness(kernel); late && lengthen_links(s, *late) > 0) {
    std::snprintf(t, sizeof t, ", links +%lld us (the relay's median lateness)", static_cast<long long>(late->count() / 1000));
    text += t;
  }
  return text;
}

std::size_t lengthen_links(Scenario& s, sim::Duration extra) {
  if (extra <= sim::Duration::zero()) return 0;
  std::size_t n = 0;
  const auto lengthen = [&](net::LinkParams& p) {
    p.delay = p.delay + extra;
    ++n;
  };
  for (net::LinkConfig& l : s.links) {
    lengthen(l.a_to_b);
    lengthen(l.b_to_a);
  }
  for (HostGroup& g : s.groups) lengthen(g.link);
  return n;
}

}  // namespace tcpsim::scenario
