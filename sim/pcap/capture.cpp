#include "sim/pcap/capture.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <pcap/pcap.h>

#include <map>
#include <memory>
#include <type_traits>

#include "sim/pcap/packet.hpp"

namespace tcpsim::pcap {
namespace {

// What a capture knows about a segment still travelling.
struct Live {
  net::Segment seg;
  bool corrupted = false;
  std::optional<std::size_t> captured;  // index of its packet, once one was taken
};

class Selector {
 public:
  explicit Selector(const CaptureOptions& o) : at_(o.at) {}

  void on(const trace::Record& r) {
    std::visit([&](const auto& b) { handle(r.time, b); }, r.body);
  }
  std::vector<Packet> take() { return std::move(out_); }

 private:
  bool here(trace::NodeId node) const { return !at_ || *at_ == node; }  // sent from here

  void take_packet(sim::Time t, trace::SegmentId id, Live& l) {
    l.captured = out_.size();
    out_.push_back({t, id, l.seg, l.corrupted});
  }

  void handle(sim::Time t, const trace::SegmentSent& s) {
    Live& l = live_[s.id] = Live{s.seg, s.seg.corrupted, std::nullopt};
    if (here(s.node)) take_packet(t, s.id, l);
  }
  void handle(sim::Time t, const trace::SegmentDuplicated& d) {
    const auto it = live_.find(d.id);
    if (it == live_.end()) return;
    // The copy is the segment as it is now: damaged if a rule damaged it before the copy was made.
    Live& l = live_[d.copy] = Live{it->second.seg, it->second.corrupted, std::nullopt};
    // A copy is made in the network, after the segment left its sender: a host's interface
    // sees it only if it arrives there.
    if (!at_) take_packet(t, d.copy, l);
  }
  void handle(sim::Time, const trace::SegmentCorrupted& c) {
    const auto it = live_.find(c.id);
    if (it == live_.end()) return;
    it->second.corrupted = true;
    // The corrupt rule acts as the segment leaves, so the packet taken there is the damaged one.
    if (it->second.captured) out_[*it->second.captured].corrupted = true;
  }
  void handle(sim::Time t, const trace::SegmentDelivered& d) { arrive(t, d.id, d.node); }
  void handle(sim::Time t, const trace::SegmentDropped& d) {
    // A damaged segment reaches its destination and is discarded there: that host's interface
    // saw it. Every other drop happens before the segment reaches a host.
    if (d.reason == trace::DropReason::Corrupted) return arrive(t, d.id, d.node);
    live_.erase(d.id);
  }
  template <typename Other>
  void handle(sim::Time, const Other&) {}

  void arrive(sim::Time t, trace::SegmentId id, trace::NodeId node) {
    const auto it = live_.find(id);
    if (it == live_.end()) return;
    // A host sending to itself sees the segment once (loopback), not on leaving and arriving.
    if (at_ && *at_ == node && !it->second.captured) take_packet(t, id, it->second);
    live_.erase(it);
  }

  std::optional<trace::NodeId> at_;
  std::map<trace::SegmentId, Live> live_;
  std::vector<Packet> out_;
};

struct PcapClose {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
struct DumperClose {
  void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
};

}  // namespace

std::vector<Packet> select_packets(const std::vector<trace::Record>& records, const CaptureOptions& options) {
  Selector s(options);
  for (const auto& r : records) s.on(r);
  return s.take();
}

std::optional<trace::NodeId> find_capture_host(const net::Network& network, std::string_view name, std::string* error) {
  const auto id = network.find(name);
  if (!id) {
    std::string hosts;
    for (std::size_t i = 0; i < network.node_count(); ++i) {
      const auto& n = network.node(static_cast<net::NodeId>(i));
      if (n.router) continue;
      hosts += (hosts.empty() ? "" : ", ") + n.name;
    }
    if (error) *error = "no host named \"" + std::string(name) + "\" (hosts: " + hosts + ")";
    return std::nullopt;
  }
  if (network.node(*id).router) {
    if (error) *error = "\"" + std::string(name) + "\" is a router; captures are taken at a host's interface";
    return std::nullopt;
  }
  return *id;
}

bool write_pcap(const std::string& path, const std::vector<Packet>& packets, std::string* error, bool* opened) {
  if (opened) *opened = false;
  const std::unique_ptr<pcap_t, PcapClose> p(
      pcap_open_dead_with_tstamp_precision(DLT_RAW, static_cast<int>(kMaxDatagram), PCAP_TSTAMP_PRECISION_NANO));
  if (!p) {
    if (error) *error = "libpcap: cannot create a capture handle";
    return false;
  }
  const std::unique_ptr<pcap_dumper_t, DumperClose> out(pcap_dump_open(p.get(), path.c_str()));
  if (!out) {
    if (error) *error = "cannot write \"" + path + "\": " + pcap_geterr(p.get());
    return false;
  }
  if (opened) *opened = true;
  std::uint16_t ip_id = 0;
  for (const Packet& pk : packets) {
    const std::vector<std::uint8_t> bytes = encode(pk.seg, {.ip_id = ip_id++, .bad_checksum = pk.corrupted});
    pcap_pkthdr h{};
    // With nanosecond precision libpcap reads tv_usec as nanoseconds.
    h.ts.tv_sec = static_cast<decltype(h.ts.tv_sec)>(pk.time.ns() / 1'000'000'000);
    h.ts.tv_usec = static_cast<decltype(h.ts.tv_usec)>(pk.time.ns() % 1'000'000'000);
    h.caplen = h.len = static_cast<bpf_u_int32>(bytes.size());
    pcap_dump(reinterpret_cast<u_char*>(out.get()), &h, bytes.data());
  }
  errno = 0;
  if (pcap_dump_flush(out.get()) != 0 || ferror(pcap_dump_file(out.get())) != 0) {
    if (error) *error = "cannot write \"" + path + "\"" + (errno != 0 ? std::string(": ") + std::strerror(errno) : "");
    return false;
  }
  return true;
}

bool write_capture(const std::string& path, const trace::Trace& trace, const CaptureOptions& options,
                   std::string* error, bool* opened) {
  return write_pcap(path, select_packets(trace.records(), options), error, opened);
}

}  // namespace tcpsim::pcap
