// What tshark must show for a capture, read from the trace alone (tcpsim run --trace JSON Lines).
//
//   tshark_expect TRACE.jsonl [HOST]
//
// Prints one line per packet the capture holds (at HOST's interface, or by default where
// segments leave their sender), tab-separated, in the order of tests/tshark/check.sh's tshark
// fields:
//   frame  tcp.flags  tcp.seq_raw  tcp.ack_raw  tcp.seq  tcp.ack  tcp.len  tcp.window_size_value
//   tcp.analysis.retransmission  tcp.checksum.status  tcp.options.mss_val
//   tcp.options.wscale.shift  tcp.options.sack_perm  tcp.options.timestamp.tsval
//   tcp.options.timestamp.tsecr
// "-" means "not decided by the trace" (relative numbers of a direction whose SYN the capture
// lacks, the acknowledgment of a segment without ACK, whether a link's duplicate copy counts
// as a retransmission, or a crafted segment). Relative numbers and retransmissions follow tests/tshark/wireshark_seq.hpp,
// applied to the packets of the capture, in capture order, as Wireshark sees them.
//
// The capture point is worked out here from the records on purpose, independently of
// sim/pcap, so that the check does not trust the code it checks.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "models/net/wire/segment.hpp"
#include "tests/tshark/wireshark_seq.hpp"

using namespace tcpsim;
using nlohmann::json;

namespace {

struct Seen {
  net::Segment seg;
  bool injected = false;
  bool copy = false;
  bool damaged = false;
  bool captured = false;
};

net::Endpoint endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  return {*net::Ipv4::parse(text.substr(0, colon)), static_cast<std::uint16_t>(std::stoul(text.substr(colon + 1)))};
}

net::Segment segment(const json& j) {
  net::Segment s;
  const net::Endpoint src = endpoint(j.at("src"));
  const net::Endpoint dst = endpoint(j.at("dst"));
  s.src = src.ip;
  s.sport = src.port;
  s.dst = dst.ip;
  s.dport = dst.port;
  s.seq = net::SeqNum(j.at("seq").get<std::uint32_t>());
  s.ack = net::SeqNum(j.at("ack").get<std::uint32_t>());
  s.flags = *net::Flags::parse(j.at("flags").get<std::string>());
  s.window = j.at("win").get<std::uint16_t>();
  s.payload_len = j.at("len").get<std::uint32_t>();
  if (j.contains("options")) {
    const json& o = j["options"];
    if (o.contains("mss")) s.options.mss = o["mss"].get<std::uint16_t>();
    if (o.contains("wscale")) s.options.wscale = o["wscale"].get<std::uint8_t>();
    s.options.sack_permitted = o.value("sack_permitted", false);
    if (o.contains("timestamps")) s.options.timestamps = net::Timestamps{o["timestamps"][0], o["timestamps"][1]};
  }
  return s;
}

std::string opt(std::optional<std::uint32_t> v) { return v ? std::to_string(*v) : "-"; }

void print(int frame, const Seen& p, trace::SeqView& view) {
  const net::Segment& s = p.seg;
  // The retransmission rule covers segments a TCP sent: about a copy or a segment the scenario
  // crafted the trace says nothing (Wireshark judges them by their numbers alone).
  const bool again = p.copy ? false : view.observe(s, p.injected);
  const bool undecided = p.copy || p.injected;
  char flags[8];
  std::snprintf(flags, sizeof flags, "0x%04x", s.flags.bits());
  std::cout << frame << '\t' << flags << '\t' << s.seq.raw() << '\t' << (s.flags.ack ? std::to_string(s.ack.raw()) : "-")
            << '\t' << opt(view.rel_seq(s)) << '\t' << (s.flags.ack ? opt(view.rel_ack(s)) : "-") << '\t'
            << s.payload_len << '\t' << s.window << '\t' << (undecided ? "-" : again ? "1" : "") << '\t'
            << (p.damaged ? 0 : 1);
  // tshark shows SACK-permitted as the option's bytes (kind 4, length 2).
  const net::Options& o = s.options;
  std::cout << '\t' << (o.mss ? std::to_string(*o.mss) : "") << '\t' << (o.wscale ? std::to_string(*o.wscale) : "")
            << '\t' << (o.sack_permitted ? "0402" : "") << '\t'
            << (o.timestamps ? std::to_string(o.timestamps->val) : "") << '\t'
            << (o.timestamps ? std::to_string(o.timestamps->ecr) : "") << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: tshark_expect TRACE.jsonl [HOST]\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "tshark_expect: cannot read " << argv[1] << "\n";
    return 2;
  }
  const std::optional<std::string> at = argc == 3 ? std::optional<std::string>(argv[2]) : std::nullopt;
  std::map<std::uint64_t, Seen> live;
  std::vector<std::uint64_t> order;  // the capture, as ids into `live`
  const auto take = [&](std::uint64_t id) {
    live[id].captured = true;
    order.push_back(id);
  };
  for (std::string line; std::getline(in, line);) {
    const json r = json::parse(line);
    const std::string kind = r.at("kind");
    if (kind == "send") {
      const std::uint64_t id = r.at("seg");
      live[id] = {segment(r), r.value("injected", false), false, r.value("corrupted", false), false};
      if (!at || r.at("node") == *at) take(id);
    } else if (kind == "duplicate") {
      const std::uint64_t id = r.at("seg"), copy = r.at("copy");
      Seen c = live.at(id);
      c.copy = true;
      c.captured = false;
      live[copy] = c;
      if (!at) take(copy);  // made in the network: a host sees it only where it arrives
    } else if (kind == "corrupt") {
      live.at(r.at("seg")).damaged = true;
    } else if (kind == "deliver" || (kind == "drop" && r.at("reason") == "bad-checksum")) {
      const std::uint64_t id = r.at("seg");
      if (at && r.at("node") == *at && !live.at(id).captured) take(id);
    }
  }
  trace::SeqView view;
  int frame = 0;
  for (const auto id : order) print(++frame, live.at(id), view);
  return 0;
}
