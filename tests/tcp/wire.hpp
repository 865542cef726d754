// Two real connections joined by a full-duplex link with a fixed one-way delay, driven by a tiny
// event loop over segment arrivals and the timers the recorders hold. Scripted loss: `drop`
// sees every segment as it leaves and may swallow it. The transcript lists what was sent
// ("A>B SYN seq=100"), dropped ("XXX") and every state change, in order.
#pragma once

#include <sstream>

#include "tests/tcp/harness.hpp"

namespace tcpsim::tcp::test {

inline std::string describe(const Segment& s) {
  std::ostringstream o;
  o << s.flags.to_string() << " seq=" << s.seq.raw();
  if (s.flags.ack) o << " ack=" << s.ack.raw();
  if (s.payload_len > 0) o << " len=" << s.payload_len;
  return o.str();
}

class Wire {
 public:
  Wire(const TcpParams& pa, const TcpParams& pb, sim::Duration delay = kDelay) : a(pa), b(pb), delay_(delay) {}

  Host a;
  Host b;
  // Return true to lose the segment. `from_a` tells the direction.
  std::function<bool(const Segment&, bool from_a)> drop;
  std::vector<std::string> transcript;

  // Moves what each side has sent onto the link (call after every user call).
  void pump(sim::Time now) {
    collect(now, a, true);
    collect(now, b, false);
  }

  // Runs arrivals and timer expiries in time order up to and including `end`. Make user calls at
  // time t only after run_until(t): what they send is put on the link at the wire's clock.
  // At equal times, arrivals go before timers, A's timers before B's.
  void run_until(sim::Time end) {
    pump(now_);
    for (;;) {
      std::optional<sim::Time> next;
      auto consider = [&](sim::Time t) {
        if (!next || t < *next) next = t;
      };
      for (const auto& f : flight_) consider(f.at);
      for (const auto& [k, t] : a.rec.timers) consider(t);
      for (const auto& [k, t] : b.rec.timers) consider(t);
      if (!next || *next > end) break;
      now_ = *next;
      if (!deliver_one(now_) && !fire_one(now_, a, "A") && !fire_one(now_, b, "B")) break;
      pump(now_);
    }
    now_ = std::max(now_, end);
  }

 private:
  struct InFlight {
    sim::Time at;
    bool to_b;
    Segment seg;
  };

  void collect(sim::Time now, Host& h, bool is_a) {
    log_states(h, is_a ? "A" : "B");
    for (const Segment& s : h.rec.take()) {
      const bool lost = drop && drop(s, is_a);
      transcript.push_back(std::string(is_a ? "A>B " : "B>A ") + describe(s) + (lost ? " XXX" : ""));
      if (!lost) flight_.push_back({now + delay_, is_a, s});
    }
  }
  void log_states(Host& h, const char* who) {
    for (auto [from, to] : h.rec.states) transcript.push_back(std::string(who) + " " + std::string(to_string(to)));
    h.rec.states.clear();
  }
  bool deliver_one(sim::Time now) {
    for (auto it = flight_.begin(); it != flight_.end(); ++it) {
      if (it->at != now) continue;
      const InFlight f = *it;
      flight_.erase(it);
      (f.to_b ? b : a).deliver(now, f.seg);
      return true;
    }
    return false;
  }
  bool fire_one(sim::Time now, Host& h, const char*) {
    for (const auto& [k, t] : h.rec.timers) {
      if (t != now) continue;
      const TimerKind kind = k;
      h.rec.timers.erase(kind);
      h.conn.timer_expired(now, kind);
      return true;
    }
    return false;
  }

  sim::Duration delay_;
  sim::Time now_{};
  std::vector<InFlight> flight_;
};

}  // namespace tcpsim::tcp::test
