#include <catch2/catch.hpp>

#include <set>

#include "models/tcp/params.hpp"
#include "models/tcp/state.hpp"

using namespace tcpsim;
using namespace tcpsim::tcp;

TEST_CASE("States display with the RFC spelling and trace with underscores", "[state]") {
  CHECK(to_string(State::SynReceived) == "SYN-RECEIVED");
  CHECK(to_string(State::FinWait1) == "FIN-WAIT-1");
  CHECK(to_string(State::TimeWait) == "TIME-WAIT");
  CHECK(trace_name(State::SynReceived) == "SYN_RECEIVED");
  CHECK(trace_name(State::CloseWait) == "CLOSE_WAIT");
  std::set<std::string_view> names;
  for (State s : kAllStates) names.insert(to_string(s));
  CHECK(names.size() == kStateCount);
}

TEST_CASE("The transition table holds the edges of RFC 9293 Figure 5", "[state]") {
  CHECK(transition(State::Closed, Event::PassiveOpen) == State::Listen);
  CHECK(transition(State::Closed, Event::ActiveOpen) == State::SynSent);
  CHECK(transition(State::Listen, Event::RcvSyn) == State::SynReceived);
  CHECK(transition(State::Listen, Event::ActiveOpen) == State::SynSent);
  CHECK(transition(State::SynSent, Event::RcvSyn) == State::SynReceived);
  CHECK(transition(State::SynSent, Event::RcvSynAck) == State::Established);
  CHECK(transition(State::SynReceived, Event::RcvAckOfSyn) == State::Established);
  CHECK(transition(State::SynReceived, Event::UserClose) == State::FinWait1);
  CHECK(transition(State::SynReceived, Event::ReturnToListen) == State::Listen);
  CHECK(transition(State::Established, Event::UserClose) == State::FinWait1);
  CHECK(transition(State::Established, Event::RcvFin) == State::CloseWait);
  CHECK(transition(State::FinWait1, Event::RcvAckOfFin) == State::FinWait2);
  CHECK(transition(State::FinWait1, Event::RcvFin) == State::Closing);
  CHECK(transition(State::FinWait2, Event::RcvFin) == State::TimeWait);
  CHECK(transition(State::CloseWait, Event::UserClose) == State::LastAck);
  CHECK(transition(State::Closing, Event::RcvAckOfFin) == State::TimeWait);
  CHECK(transition(State::LastAck, Event::RcvAckOfFin) == State::Closed);
  CHECK(transition(State::TimeWait, Event::TimeWaitExpired) == State::Closed);
}

TEST_CASE("Events that cannot happen in a state have no edge", "[state]") {
  CHECK_FALSE(transition(State::Closed, Event::RcvSyn));
  CHECK_FALSE(transition(State::Closed, Event::UserAbort));
  CHECK_FALSE(transition(State::Listen, Event::RcvRst));  // "An incoming RST should be ignored"
  CHECK_FALSE(transition(State::Established, Event::ReturnToListen));
  CHECK_FALSE(transition(State::CloseWait, Event::RcvFin));
  CHECK_FALSE(transition(State::TimeWait, Event::UserClose));
}

TEST_CASE("Every state with a TCB can be aborted and RST closes every state but LISTEN", "[state]") {
  for (State s : kAllStates) {
    if (s == State::Closed) continue;
    CHECK(transition(s, Event::UserAbort) == State::Closed);
    if (s != State::Listen) CHECK(transition(s, Event::RcvRst) == State::Closed);
  }
}

TEST_CASE("The enumerated transitions reach every state and start from every state", "[state]") {
  const auto all = all_transitions();
  std::set<State> from, to;
  for (const Transition& t : all) {
    from.insert(t.from);
    to.insert(t.to);
    CHECK(transition(t.from, t.event) == t.to);
  }
  CHECK(from.size() == kStateCount);
  CHECK(to.size() == kStateCount);
}

TEST_CASE("Synchronized states are ESTABLISHED and later", "[state]") {
  CHECK_FALSE(is_synchronized(State::SynReceived));
  CHECK(is_synchronized(State::Established));
  CHECK(is_synchronized(State::TimeWait));
}

TEST_CASE("The two profiles carry the catalog's section 5 values", "[params]") {
  using sim::Duration;
  const TcpParams r = TcpParams::rfc9293();
  CHECK(r.time_wait() == Duration::s(240));
  CHECK(r.rto_initial == Duration::s(1));
  CHECK(r.rto_min == Duration::s(1));
  CHECK(r.user_timeout == Duration::s(300));
  CHECK(r.syn_retries.duration == Duration::s(180));
  CHECK(r.rfc5961);
  CHECK_FALSE(r.rfc1337);
  CHECK(r.dup_syn_in_syn_received == DupSynAnswer::Ack);
  CHECK(r.mss == 1460);
  CHECK_FALSE(r.keepalive);

  const TcpParams l = TcpParams::linux_profile();
  CHECK(l.time_wait() == Duration::s(60));
  CHECK(l.rto_min == Duration::ms(200));
  CHECK(l.rto_max == Duration::s(120));
  CHECK(l.syn_retries.count == 10);
  CHECK(l.synack_retries.count == 5);
  CHECK(l.r2.count == 15);
  CHECK_FALSE(l.user_timeout);
  CHECK(l.dup_syn_in_syn_received == DupSynAnswer::SynAck);
  CHECK(l.rst_on_close_with_unread);
  CHECK(TcpParams::by_name("linux")->profile == "linux");
  CHECK_FALSE(TcpParams::by_name("bsd"));
}
