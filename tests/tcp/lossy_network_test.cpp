// Exactly-once delivery through the real kernel and network: two Connections, each hosted on a
// net::Network node by a minimal host (segments to Network::send, timers on the Scheduler), over
// one link with 5% random loss, duplication and reordering in both directions. A transfer of
// 150 kB of patterned bytes must reach the receiving application exactly once and in order, and
// both ends must finish CLOSED, in both profiles.
#include <catch2/catch.hpp>

#include <array>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "models/net/network.hpp"
#include "models/tcp/connection.hpp"
#include "sim/trace/jsonl.hpp"

using namespace tcpsim;
using namespace tcpsim::sim::literals;
using tcp::CallError;
using tcp::State;
using tcp::TimerKind;

namespace {

sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }

// One Connection on a network node: what a TcpStack does for one socket, without demultiplexing.
class NetHost final : public tcp::Actions {
 public:
  NetHost(sim::Scheduler& sched, net::Network& network, net::NodeId node, const tcp::TcpParams& p, net::SeqNum iss)
      : sched_(sched), net_(network), node_(node), iss_(iss), conn(p, *this) {
    net_.set_receiver(node_, [this](const net::Segment& seg, net::SegmentId) { conn.segment_arrives(sched_.now(), seg); });
  }
  ~NetHost() override { net_.set_receiver(node_, nullptr); }
  NetHost(const NetHost&) = delete;
  NetHost& operator=(const NetHost&) = delete;

  void send(const net::Segment& seg, std::string_view cause, bool retransmission) override {
    net_.send(node_, seg, cause, false, retransmission);
  }
  void discard(const net::Segment&, std::string_view) override {}
  void arm(TimerKind kind, sim::Time deadline, sim::TieOrder order, std::string_view) override {
    auto& t = timers_[static_cast<int>(kind)];
    if (!t) t.emplace(sched_, [h = this, kind] { h->conn.timer_expired(h->sched_.now(), kind); });
    t->arm_at(deadline, order);
  }
  void cancel(TimerKind kind) override {
    if (auto& t = timers_[static_cast<int>(kind)]) t->cancel();
  }
  void notify(trace::Notice n, trace::AppError e, std::uint64_t) override {
    if (n == trace::Notice::Eof) eof = true;
    if (n == trace::Notice::Error) errors.push_back(e);
  }
  void state_changed(State, State, std::string_view) override {}
  net::SeqNum choose_iss(sim::Time, const net::ConnId&) override { return iss_; }

 private:
  sim::Scheduler& sched_;
  net::Network& net_;
  net::NodeId node_;
  net::SeqNum iss_;
  std::array<std::optional<sim::Timer>, tcp::kTimerKindCount> timers_{};

 public:
  tcp::Connection conn;
  bool eof = false;
  std::vector<trace::AppError> errors;
};

// Client a (10.0.0.1:40000) sends `total` patterned octets to server b (10.0.0.2:80) and closes;
// b reads every 5 ms and closes once it has read past the FIN.
struct LossyTransfer {
  sim::Scheduler sched;
  trace::Trace trace;
  sim::RandomStreams streams;
  net::Network net{sched, trace, streams};
  std::optional<NetHost> a, b;
  std::vector<std::uint8_t> sent, got;
  std::size_t offered = 0;
  bool a_closed = false, b_closed = false;

  LossyTransfer(const tcp::TcpParams& p, std::uint64_t seed, std::size_t total) : streams(seed) {
    const net::NodeId na = net.add_node({"a", *net::Ipv4::parse("10.0.0.1"), false});
    const net::NodeId nb = net.add_node({"b", *net::Ipv4::parse("10.0.0.2"), false});
    net::LinkParams lp;
    lp.delay = 10_ms;
    lp.loss = {.kind = net::LossModel::Kind::Bernoulli, .rate = 0.05};
    lp.duplicate = 0.05;
    lp.reorder = 0.05;
    lp.reorder_delay = 3_ms;
    net.add_link({"a", "b", lp, lp});
    a.emplace(sched, net, na, p, net::SeqNum{0xfffff000u});  // the transfer crosses sequence zero
    b.emplace(sched, net, nb, p, net::SeqNum{7});
    sent.resize(total);
    for (std::size_t i = 0; i < total; ++i) sent[i] = static_cast<std::uint8_t>(i * 31 + i / 253);
    REQUIRE(b->conn.open_passive(sched.now(), {*net::Ipv4::parse("10.0.0.2"), 80}) == CallError::None);
    const net::ConnId id{{*net::Ipv4::parse("10.0.0.1"), 40000}, {*net::Ipv4::parse("10.0.0.2"), 80}};
    REQUIRE(a->conn.open_active(sched.now(), id, net::SeqNum{0xfffff000u}) == CallError::None);
    sched.schedule_in(5_ms, [t = this] { t->tick(); });
  }

  // The two applications, every 5 ms: a tops up its send buffer, then closes; b reads.
  void tick() {
    const sim::Time now = sched.now();
    if (a->conn.state() == State::Established && offered < sent.size()) {
      std::uint64_t took = 0;
      const std::span<const std::uint8_t> rest(sent.data() + offered, sent.size() - offered);
      const CallError e = a->conn.send(now, rest, &took);
      REQUIRE((e == CallError::None || e == CallError::InsufficientResources));
      offered += took;
    }
    if (offered == sent.size() && !a_closed) {
      REQUIRE(a->conn.close(now) == CallError::None);
      a_closed = true;
    }
    if (b->conn.state() != State::Listen && b->conn.state() != State::Closed) {
      const tcp::ReceiveResult r = b->conn.receive(now, 1 << 20);
      got.insert(got.end(), r.bytes.begin(), r.bytes.end());
      if (b->eof && b->conn.status().recv_unread == 0 && !b_closed) {
        REQUIRE(b->conn.close(now) == CallError::None);
        b_closed = true;
      }
    }
    const bool done = a->conn.state() == State::Closed && b->conn.state() == State::Closed;
    if (!done && now < at(3600_s)) sched.schedule_in(5_ms, [t = this] { t->tick(); });
  }

  std::uint64_t count(trace::DropReason reason) const {
    std::uint64_t n = 0;
    for (const auto& r : trace.records()) {
      if (const auto* d = std::get_if<trace::SegmentDropped>(&r.body); d && d->reason == reason) ++n;
    }
    return n;
  }
  template <class Body>
  std::uint64_t count() const {
    std::uint64_t n = 0;
    for (const auto& r : trace.records()) n += std::holds_alternative<Body>(r.body) ? 1 : 0;
    return n;
  }
};

void run_lossy(const tcp::TcpParams& p, std::uint64_t seed) {
  LossyTransfer t(p, seed, 150'000);
  t.sched.run();
  INFO("profile " << p.profile << ", seed " << seed);
  CHECK(t.got.size() == t.sent.size());
  CHECK(t.got == t.sent);
  CHECK(t.a->conn.state() == State::Closed);
  CHECK(t.b->conn.state() == State::Closed);
  CHECK(t.a->errors.empty());
  CHECK(t.b->errors.empty());
  // The network did what the test is about.
  CHECK(t.count(trace::DropReason::Loss) > 0);
  CHECK(t.count<trace::SegmentDuplicated>() > 0);
  CHECK(t.count<trace::SegmentDelayed>() > 0);
}

}  // namespace

TEST_CASE("Under 5% loss with duplication and reordering every byte arrives exactly once and in order (rfc9293)",
          "[lossy][network]") {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) run_lossy(tcp::TcpParams::rfc9293(), seed);
}

TEST_CASE("Under 5% loss with duplication and reordering every byte arrives exactly once and in order (linux)",
          "[lossy][network][linux]") {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) run_lossy(tcp::TcpParams::linux_profile(), seed);
}

TEST_CASE("The lossy transfer is deterministic: the same seed gives a byte-identical trace", "[lossy][network][determinism]") {
  auto jsonl = [](std::uint64_t seed) {
    LossyTransfer t(tcp::TcpParams::linux_profile(), seed, 50'000);
    t.sched.run();
    std::vector<std::string> out;
    for (const auto& r : t.trace.records()) out.push_back(trace::to_json(r, t.trace).dump());
    return out;
  };
  const std::vector<std::string> first = jsonl(4);
  CHECK(first.size() > 100);
  CHECK(jsonl(4) == first);
  CHECK(jsonl(5) != first);
}
