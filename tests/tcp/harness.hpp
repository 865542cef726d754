// Test harness for the sans-IO TCP core: an Actions recorder, segment builders for the two
// directions, fixtures per state (each built from the previous one by driving the real
// connection), and a two-endpoint wire with a one-way delay and scripted loss.
#pragma once

#include <catch2/catch.hpp>

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/tcp/connection.hpp"

namespace tcpsim::tcp::test {

using namespace sim::literals;
using net::Flags;
using net::Segment;
using net::SeqNum;
using trace::AppError;
using trace::Notice;

inline constexpr net::Ipv4 kIpA{0x0a000001};  // 10.0.0.1, the active opener
inline constexpr net::Ipv4 kIpB{0x0a000002};  // 10.0.0.2, the passive opener
inline constexpr std::uint16_t kPortA = 1024;
inline constexpr std::uint16_t kPortB = 80;
inline const net::ConnId kAtoB{{kIpA, kPortA}, {kIpB, kPortB}};

inline sim::Time at(sim::Duration d) { return sim::Time::zero() + d; }

// A segment A sends to B / B sends to A: the addresses are filled in, the rest is the literal.
inline Segment from_a(Segment s) {
  s.src = kIpA, s.dst = kIpB, s.sport = kPortA, s.dport = kPortB;
  return s;
}
inline Segment from_b(Segment s) {
  s.src = kIpB, s.dst = kIpA, s.sport = kPortB, s.dport = kPortA;
  return s;
}

struct Notification {
  Notice notice;
  AppError error;
  std::uint64_t bytes;
  bool operator==(const Notification&) const = default;
};

class Recorder : public Actions {
 public:
  void send(const Segment& seg, std::string_view cause, bool retransmission) override {
    sent.push_back(seg);
    send_causes.emplace_back(cause);
    retransmitted.push_back(retransmission);
  }
  void discard(const Segment& seg, std::string_view cause) override {
    discarded.push_back(seg);
    discard_causes.emplace_back(cause);
  }
  void arm(TimerKind t, sim::Time deadline, sim::TieOrder, std::string_view cause) override {
    timers[t] = deadline;
    timer_causes[t] = std::string(cause);
  }
  void cancel(TimerKind t) override { timers.erase(t); }
  void notify(Notice n, AppError e, std::uint64_t bytes) override { notes.push_back({n, e, bytes}); }
  void state_changed(State from, State to, std::string_view cause) override {
    states.emplace_back(from, to);
    state_causes.emplace_back(cause);
  }
  SeqNum choose_iss(sim::Time, const net::ConnId&) override {
    REQUIRE_FALSE(isses.empty());
    const SeqNum s = isses.front();
    isses.pop_front();
    return s;
  }

  // The segments sent since the last call, and forget them.
  std::vector<Segment> take() {
    send_causes.clear();
    retransmitted.clear();
    return std::exchange(sent, {});
  }
  std::optional<sim::Time> timer(TimerKind t) const {
    auto it = timers.find(t);
    return it == timers.end() ? std::nullopt : std::optional<sim::Time>{it->second};
  }
  void clear_log() {
    sent.clear(), send_causes.clear(), retransmitted.clear(), discarded.clear(), discard_causes.clear();
    states.clear(), state_causes.clear(), notes.clear();
  }

  std::vector<Segment> sent;
  std::vector<std::string> send_causes;
  std::vector<bool> retransmitted;  // the model's own word, per segment in `sent`
  std::map<TimerKind, std::string> timer_causes;  // the rule of the last arm() of each timer
  std::vector<Segment> discarded;
  std::vector<std::string> discard_causes;
  std::map<TimerKind, sim::Time> timers;
  std::vector<Notification> notes;
  std::vector<std::pair<State, State>> states;
  std::vector<std::string> state_causes;
  std::deque<SeqNum> isses;
};

// One endpoint: a connection and the recorder it reports to. Not copyable (the connection keeps
// a reference to the recorder), so fixtures are returned through std::unique_ptr.
struct Host {
  explicit Host(const TcpParams& p) : params(p), conn(p, rec) {}
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;
  TcpParams params;
  Recorder rec;
  Connection conn;
  void deliver(sim::Time t, const Segment& s) { conn.segment_arrives(t, s); }
  // Expire the timer `k` at its deadline; returns that deadline.
  sim::Time fire(TimerKind k) {
    const auto d = rec.timer(k);
    REQUIRE(d.has_value());
    rec.timers.erase(k);
    conn.timer_expired(*d, k);
    return *d;
  }
};
using HostPtr = std::unique_ptr<Host>;

// Defaults of the fixtures: ISS_A = x, ISS_B = y, one-way delay 10 ms, buffers 65535.
inline constexpr SeqNum kIssA{100};
inline constexpr SeqNum kIssB{300};
inline constexpr sim::Duration kDelay = sim::Duration::ms(10);

}  // namespace tcpsim::tcp::test
