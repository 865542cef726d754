#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "sim/pcap/capture.hpp"
#include "sim/pcap/packet.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"
#include "tests/pcap/read_back.hpp"

using namespace tcpsim;
using namespace tcpsim::pcap::test;

namespace {

std::unique_ptr<scenario::World> run(const std::string& rel) {
  auto loaded = scenario::load_file(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/" + rel);
  REQUIRE(loaded.ok());
  auto w = std::make_unique<scenario::World>(std::move(*loaded.scenario));
  w->run();
  return w;
}

trace::NodeId host(const scenario::World& w, const char* name) {
  std::string error;
  const auto id = tcpsim::pcap::find_capture_host(w.network(), name, &error);
  REQUIRE(id);
  return *id;
}

std::string temp_file(const std::string& name) {
  // The process id keeps concurrent runs of the suite (other build trees) apart.
  return (std::filesystem::temp_directory_path() /
          ("tcpsim-pcap-test-" + std::to_string(getpid()) + "-" + name + ".pcap"))
      .string();
}

std::set<trace::SegmentId> ids(const std::vector<tcpsim::pcap::Packet>& packets) {
  std::set<trace::SegmentId> out;
  for (const auto& p : packets) out.insert(p.id);
  return out;
}

template <typename T>
std::vector<T> records_of(const trace::Trace& t) {
  std::vector<T> out;
  for (const auto& r : t.records())
    if (const auto* b = std::get_if<T>(&r.body)) out.push_back(*b);
  return out;
}

}  // namespace

TEST_CASE("A capture read back with libpcap has the raw IPv4 link type, virtual time stamps in ns and every packet's bytes") {
  const auto w = run("loss/lost-syn.json");
  const std::string file = temp_file("read-back");
  std::string error;
  REQUIRE(tcpsim::pcap::write_capture(file, w->trace(), {}, &error));
  const ReadCapture c = read_capture(file);
  std::filesystem::remove(file);

  CHECK(c.linktype == DLT_RAW);
  const auto packets = tcpsim::pcap::select_packets(w->trace().records());
  REQUIRE(c.packets.size() == packets.size());
  REQUIRE(c.packets.size() == w->trace().segments().sent);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    INFO("packet " << i);
    const ReadPacket& p = c.packets[i];
    CHECK(p.ns == packets[i].time.ns());
    CHECK(p.len == p.bytes.size());
    CHECK(p.bytes == tcpsim::pcap::encode(packets[i].seg, {.ip_id = static_cast<std::uint16_t>(i)}));
    CHECK(be16(p.bytes, 4) == i);  // identification counts packets
    CHECK(be16(p.bytes, 2) == packets[i].seg.wire_size());
    CHECK(ip_checksum_ok(p.bytes));
    CHECK(tcp_checksum_ok(p.bytes));
  }
  // The retransmitted SYN left one second after the lost one.
  CHECK(c.packets.at(1).ns - c.packets.at(0).ns == 1'000'000'000);
}

TEST_CASE("By default the capture holds every segment where it left its sender, dropped ones and copies included") {
  const auto w = run("net/fault-rules.json");
  const auto packets = tcpsim::pcap::select_packets(w->trace().records());
  const auto& counts = w->trace().segments();
  REQUIRE(counts.duplicates == 1);
  CHECK(packets.size() == counts.sent + counts.duplicates);
  const auto sent = records_of<trace::SegmentSent>(w->trace());
  for (const auto& s : sent) CHECK(ids(packets).count(s.id) == 1);
  const auto dup = records_of<trace::SegmentDuplicated>(w->trace()).at(0);
  CHECK(ids(packets).count(dup.copy) == 1);
  // The copy is the FIN again, right behind the original.
  CHECK(packets.back().id == dup.copy);
  CHECK(packets.back().seg.flags.fin);
  CHECK(packets.back().seg == packets[packets.size() - 2].seg);
}

TEST_CASE("Segments a corrupt rule damaged show a bad TCP checksum, every other packet good checksums") {
  const auto w = run("net/fault-rules.json");
  std::set<trace::SegmentId> damaged;
  for (const auto& c : records_of<trace::SegmentCorrupted>(w->trace())) damaged.insert(c.id);
  REQUIRE(damaged.size() == 2);
  const trace::NodeId server = host(*w, "server");
  using tcpsim::pcap::CaptureOptions;
  for (const CaptureOptions& at : {CaptureOptions{}, CaptureOptions{server}}) {
    const std::string file = temp_file(at.at ? "corrupt-server" : "corrupt-sender");
    std::string error;
    REQUIRE(tcpsim::pcap::write_capture(file, w->trace(), at, &error));
    const ReadCapture c = read_capture(file);
    std::filesystem::remove(file);
    const auto packets = tcpsim::pcap::select_packets(w->trace().records(), at);
    REQUIRE(c.packets.size() == packets.size());
    std::size_t bad = 0;
    for (std::size_t i = 0; i < packets.size(); ++i) {
      INFO("packet " << i << (at.at ? " at the server" : " at the sender"));
      CHECK(ip_checksum_ok(c.packets[i].bytes));
      CHECK(tcp_checksum_ok(c.packets[i].bytes) == !damaged.count(packets[i].id));
      bad += !tcp_checksum_ok(c.packets[i].bytes);
    }
    CHECK(bad == 2);  // the receiver's interface sees the damaged segments it then discards
  }
}

TEST_CASE("A capture at the receiver leaves out lost segments and stamps the others with their arrival time") {
  const auto w = run("loss/lost-syn.json");
  const trace::NodeId server = host(*w, "server");
  const auto at_sender = tcpsim::pcap::select_packets(w->trace().records());
  const auto at_server = tcpsim::pcap::select_packets(w->trace().records(), {server});

  std::set<trace::SegmentId> lost;
  for (const auto& d : records_of<trace::SegmentDropped>(w->trace())) lost.insert(d.id);
  REQUIRE(lost.size() == 2);
  CHECK(at_server.size() == at_sender.size() - lost.size());
  for (const auto id : lost) {
    CHECK(ids(at_sender).count(id) == 1);
    CHECK(ids(at_server).count(id) == 0);
  }
  // Segments that arrived carry the time of their SegmentDelivered record; the server's own
  // segments the time they left.
  std::map<trace::SegmentId, sim::Time> arrived, left;
  for (const auto& r : w->trace().records()) {
    if (const auto* d = std::get_if<trace::SegmentDelivered>(&r.body); d && d->node == server) arrived[d->id] = r.time;
    if (const auto* s = std::get_if<trace::SegmentSent>(&r.body); s && s->node == server) left[s->id] = r.time;
  }
  CHECK(arrived.size() + left.size() == at_server.size());
  for (const auto& p : at_server) {
    INFO("segment " << p.id);
    const bool from_server = p.seg.src == *net::Ipv4::parse("10.0.0.2");
    CHECK((from_server ? left : arrived).at(p.id) == p.time);
  }
}

TEST_CASE("Captures at both ends differ by exactly the segments lost between them and the copies made on the way") {
  const auto w = run("net/fault-rules.json");
  const auto client = tcpsim::pcap::select_packets(w->trace().records(), {host(*w, "client")});
  const auto server = tcpsim::pcap::select_packets(w->trace().records(), {host(*w, "server")});
  std::set<trace::SegmentId> only_client, only_server;
  for (const auto id : ids(client))
    if (!ids(server).count(id)) only_client.insert(id);
  for (const auto id : ids(server))
    if (!ids(client).count(id)) only_server.insert(id);
  std::set<trace::SegmentId> lost, copies;
  for (const auto& d : records_of<trace::SegmentDropped>(w->trace()))
    if (d.reason != trace::DropReason::Corrupted) lost.insert(d.id);
  for (const auto& d : records_of<trace::SegmentDuplicated>(w->trace())) copies.insert(d.copy);
  CHECK(lost.size() == 1);    // the second SYN, dropped by rule 0
  CHECK(copies.size() == 1);  // the FIN's copy, made by rule 2
  CHECK(only_client == lost);
  CHECK(only_server == copies);
}

TEST_CASE("An unknown name or a router is not a capture point, and the error says why") {
  const auto w = run("net/two-hop-lossy.json");
  std::string error;
  CHECK_FALSE(tcpsim::pcap::find_capture_host(w->network(), "sever", &error));
  CHECK(error == "no host named \"sever\" (hosts: client, server)");
  CHECK_FALSE(tcpsim::pcap::find_capture_host(w->network(), "r1", &error));
  CHECK(error.find("is a router") != std::string::npos);
  CHECK(tcpsim::pcap::find_capture_host(w->network(), "server", &error));
}

TEST_CASE("Writing a capture where no file can be created fails with a message") {
  std::string error;
  CHECK_FALSE(tcpsim::pcap::write_pcap("/nonexistent-dir/x.pcap", {}, &error));
  CHECK(error.find("/nonexistent-dir/x.pcap") != std::string::npos);
}

TEST_CASE("The same run gives the same capture, byte for byte") {
  const auto a = run("net/two-hop-lossy.json");
  const auto b = run("net/two-hop-lossy.json");
  std::string error;
  REQUIRE(tcpsim::pcap::write_capture(temp_file("same-a"), a->trace(), {}, &error));
  REQUIRE(tcpsim::pcap::write_capture(temp_file("same-b"), b->trace(), {}, &error));
  const ReadCapture ca = read_capture(temp_file("same-a"));
  const ReadCapture cb = read_capture(temp_file("same-b"));
  std::filesystem::remove(temp_file("same-a"));
  std::filesystem::remove(temp_file("same-b"));
  REQUIRE(ca.packets.size() == cb.packets.size());
  CHECK(ca.packets.size() > 10);
  for (std::size_t i = 0; i < ca.packets.size(); ++i) {
    CHECK(ca.packets[i].ns == cb.packets[i].ns);
    CHECK(ca.packets[i].bytes == cb.packets[i].bytes);
  }
}
