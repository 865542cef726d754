#include "gui/scenario_writer.hpp"

#include <limits>
#include <nlohmann/json.hpp>

namespace tcpsim::gui {
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
// reader looks for first).
void put_params(Json& o, const net::LinkParams& p) {
  const net::LinkParams def{};
  o["delay"] = duration(p.delay);
  if (p.jitter != def.jitter) o["jitter"] = duration(p.jitter);
  if (p.bandwidth_bps != 0) o["bandwidth"] = bandwidth(p.bandwidth_bps);
  if (p.queue_limit != def.queue_limit) o["queue"] = p.queue_limit;
  if (p.loss.kind != net::LossModel::Kind::None) o["loss"] = loss(p.loss);
  if (p.duplicate != 0.0) o["duplicate"] = p.duplicate;
  if (p.reorder != 0.0) o["reorder"] = p.reorder;
  if (p.reorder_delay) o["reorder_delay"] = duration(*p.reorder_delay);
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

}  // namespace

std::string write_scenario(const scenario::Scenario& s) {
  Json o;
  o["name"] = s.name;
  if (!s.description.empty()) o["description"] = s.description;
  o["seed"] = s.seed;
  o["profile"] = scenario::to_string(s.profile);
  if (s.until) o["until"] = duration(*s.until);
  Json hosts = Json::array();
  Json routers = Json::array();
  for (const auto& n : s.nodes) {
    Json node;
    node["name"] = n.name;
    if (n.ip) node["ip"] = n.ip->to_string();
    (n.router ? routers : hosts).push_back(node);
  }
  o["hosts"] = hosts;
  if (!routers.empty()) o["routers"] = routers;
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
  if (!s.notes.empty()) {
    Json notes = Json::array();
    for (const auto& n : s.notes) notes.push_back(Json{{"at", at(n.at)}, {"text", n.text}});
    o["notes"] = notes;
  }
  return o.dump(2) + "\n";
}

}  // namespace tcpsim::gui
