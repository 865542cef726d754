#include "models/app/script.hpp"

#include <algorithm>
#include <utility>

namespace tcpsim::app {

using trace::AppError;
using trace::Notice;

const char* to_string(Event e) {
  switch (e) {
    case Event::Connected: return "connected";
    case Event::Accepted: return "accepted";
    case Event::Data: return "data";
    case Event::Eof: return "eof";
    case Event::Error: return "error";
    case Event::Closed: return "closed";
  }
  return "?";
}

const char* to_string(Step::Do d) {
  switch (d) {
    case Step::Do::Listen: return "listen";
    case Step::Do::Accept: return "accept";
    case Step::Do::Connect: return "connect";
    case Step::Do::Send: return "send";
    case Step::Do::Receive: return "receive";
    case Step::Do::Shutdown: return "shutdown";
    case Step::Do::Close: return "close";
    case Step::Do::Abort: return "abort";
  }
  return "?";
}

ScriptedApp::ScriptedApp(sim::Scheduler& sched, tcp::TcpStack& stack, Script script)
    : ScriptedApp(sched, stack, std::make_shared<const Script>(std::move(script))) {}

ScriptedApp::ScriptedApp(sim::Scheduler& sched, tcp::TcpStack& stack, std::shared_ptr<const Script> script)
    : sched_(sched), stack_(stack), script_(std::move(script)) {}

ScriptedApp::~ScriptedApp() {
  if (outstanding_ > 0)
    for (const sim::EventId id : pending_) sched_.cancel(id);
}

void ScriptedApp::start(sim::Duration offset) {
  if (started_) return;
  started_ = true;
  for (std::size_t i = 0; i < script_->steps.size(); ++i) {
    const Step& st = script_->steps[i];
    if (st.at) schedule(i, tcp::kNoSocket, sim::Time::zero() + offset + *st.at + st.after);
  }
  // The first step without a trigger starts the chain of steps that follow each other.
  if (!script_->steps.empty() && !script_->steps[0].at && !script_->steps[0].on)
    schedule(0, tcp::kNoSocket, sched_.now() + offset + script_->steps[0].after);
}

void ScriptedApp::track(sim::EventId id) {
  // Forget the ids that have fired whenever the list has doubled since it was last pruned: a
  // Send step waiting for buffer space for a month of virtual time schedules a retry every
  // kSendRetry while outstanding_ never drops to 0.
  if (pending_.size() >= prune_at_) {
    std::erase_if(pending_, [this](sim::EventId e) { return !sched_.pending(e); });
    prune_at_ = std::max<std::size_t>(kPruneFrom, 2 * pending_.size());
  }
  pending_.push_back(id);
}

void ScriptedApp::schedule(std::size_t i, SocketId s, sim::Time at) {
  if (at < sched_.now()) at = sched_.now();  // an `at` already past runs now
  ++outstanding_;
  const auto idx = static_cast<std::uint32_t>(i);
  track(sched_.schedule_at(at, [this, idx, s] {
    --outstanding_;
    run(idx, s);
  }));
}

void ScriptedApp::trigger(Event e, SocketId s) {
  std::vector<bool>& fired = fired_[s];
  fired.resize(script_->steps.size(), false);
  for (std::size_t i = 0; i < script_->steps.size(); ++i) {
    const Step& st = script_->steps[i];
    if (st.at || !st.on || *st.on != e || fired[i]) continue;
    fired[i] = true;
    schedule(i, s, sched_.now() + st.after);
  }
}

// Step i is done on socket s: the next step follows it if it has no trigger of its own.
void ScriptedApp::completed(std::size_t i, SocketId s) {
  if (outstanding_ == 0) pending_.clear();
  const std::size_t next = i + 1;
  if (next >= script_->steps.size()) return;
  const Step& st = script_->steps[next];
  if (st.at || st.on) return;
  schedule(next, s, sched_.now() + st.after);
}

void ScriptedApp::run(std::size_t i, SocketId target) {
  const Step& st = script_->steps[i];
  ++steps_run_;
  // An `at` step (or a chain started at start()) acts on the app's current socket.
  const SocketId s = target != tcp::kNoSocket ? target : current();
  switch (st.action) {
    case Step::Do::Listen: {
      if (st.iss) stack_.set_fixed_iss(st.port, *st.iss);
      const SocketId l = stack_.listen(st.port, st.backlog);
      if (l == tcp::kNoSocket) {
        ++calls_failed_;
      } else {
        listener_ = l;
        if (st.linger_zero) stack_.set_linger_zero(l, true);
        if (st.nodelay) stack_.set_nodelay(l, true);
      }
      break;
    }
    case Step::Do::Accept:
      accept_steps_.push_back(static_cast<std::uint32_t>(i));
      offer_child();
      return;  // completes when a child is accepted
    case Step::Do::Connect: {
      if (st.reuse_addr) stack_.set_reuse_addr(true);
      const SocketId c = stack_.connect(st.remote, st.local_port, st.iss);
      if (c == tcp::kNoSocket) {
        ++calls_failed_;
      } else {
        socket_ = c;
        owned_.insert(c);
        if (st.linger_zero) stack_.set_linger_zero(c, true);
        if (st.nodelay) stack_.set_nodelay(c, true);
      }
      completed(i, c);
      return;
    }
    case Step::Do::Send:
      if (st.repeat > 0) {
        send_chunk(i, s, st.repeat, st.bytes);
        return;  // completes with its last chunk
      }
      break;
    case Step::Do::Receive:
      bytes_received_ += stack_.receive(s, st.bytes == 0 ? UINT64_MAX : st.bytes);
      break;
    case Step::Do::Shutdown:
      note(stack_.shutdown(s));
      break;
    case Step::Do::Close:
      note(stack_.close(s));
      break;
    case Step::Do::Abort:
      note(stack_.abort(s));
      break;
  }
  completed(i, s);
}

// Offers `rest` octets of the current chunk; `left` chunks remain including this one.
void ScriptedApp::send_chunk(std::size_t i, SocketId s, std::uint32_t left, std::uint64_t rest) {
  const Step& st = script_->steps[i];
  const auto idx = static_cast<std::uint32_t>(i);
  auto again = [&](sim::Duration in, std::uint32_t l, std::uint64_t r) {
    ++outstanding_;
    // Captures: this, idx, s, l (20 bytes); the rest of a partly accepted chunk is in `resume_`.
    resume_[{s, idx}] = r;
    track(sched_.schedule_in(in, [this, idx, s, l] {
      --outstanding_;
      const auto it = resume_.find({s, idx});
      const std::uint64_t r2 = it->second;
      resume_.erase(it);
      send_chunk(idx, s, l, r2);
    }));
  };
  // While the send buffer is full, look again later without a user call.
  if (const auto status = stack_.status(s); status && status->send_queued >= stack_.params().send_buffer) {
    again(kSendRetry, left, rest);
    return;
  }
  std::uint64_t accepted = 0;
  const tcp::CallError err = stack_.send(s, rest, &accepted);
  note(err);
  bytes_sent_ += accepted;
  if (err == tcp::CallError::None && accepted < rest) {
    again(kSendRetry, left, rest - accepted);
    return;
  }
  if (--left == 0 || err != tcp::CallError::None) {
    completed(i, s);
    return;
  }
  again(st.interval, left, st.bytes);
}

void ScriptedApp::adopt(SocketId child) {
  owned_.insert(child);
  socket_ = child;
  connected_ = true;
  trigger(Event::Accepted, child);
}

bool ScriptedApp::offer_child(SocketId offered) {
  if (!listening() || (!script_->auto_accept && accept_steps_.empty())) return false;
  if (offered != tcp::kNoSocket) {
    const auto mine = stack_.status(listener_);
    const auto theirs = stack_.status(offered);
    if (!mine || !theirs || mine->id.local.port != theirs->id.local.port) return false;
  }
  const auto child = stack_.accept(listener_);
  if (!child) return false;
  adopt(*child);
  if (!script_->auto_accept) {
    // The oldest waiting Accept step is done: the steps after it act on this connection.
    const std::uint32_t step = accept_steps_.front();
    accept_steps_.erase(accept_steps_.begin());
    completed(step, *child);
  }
  return true;
}

void ScriptedApp::notify(SocketId s, Notice n, AppError e, std::uint64_t) {
  switch (n) {
    case Notice::Connected:
      connected_ = true;
      trigger(Event::Connected, s);
      break;
    case Notice::Data:
      if (script_->auto_receive) bytes_received_ += stack_.receive(s, UINT64_MAX);
      trigger(Event::Data, s);
      break;
    case Notice::Eof:
      eof_seen_ = true;
      trigger(Event::Eof, s);
      break;
    case Notice::Error:
      last_error_ = e;
      trigger(Event::Error, s);
      break;
    case Notice::Closed:
      trigger(Event::Closed, s);
      // The connection is gone: its per-connection state goes too (a server accepts millions).
      fired_.erase(s);
      owned_.erase(s);
      break;
  }
}

AppHost::AppHost(sim::Scheduler& sched, tcp::TcpStack& stack) : sched_(sched), stack_(stack) {
  stack_.set_observer([this](SocketId s, Notice n, AppError e, std::uint64_t bytes) { dispatch(s, n, e, bytes); });
}

AppHost::~AppHost() { stack_.set_observer(nullptr); }

ScriptedApp& AppHost::add(Script script) { return add(std::make_shared<const Script>(std::move(script))); }

ScriptedApp& AppHost::add(std::shared_ptr<const Script> script) {
  apps_.push_back(std::make_unique<ScriptedApp>(sched_, stack_, std::move(script)));
  return *apps_.back();
}

void AppHost::start(sim::Duration offset) {
  for (auto& app : apps_) app->start(offset);
}

void AppHost::dispatch(SocketId s, Notice n, AppError e, std::uint64_t bytes) {
  auto owner = [&]() -> ScriptedApp* {
    for (auto& app : apps_) {
      if (app->owns(s)) return app.get();
    }
    return nullptr;
  };
  ScriptedApp* app = owner();
  if (!app && n == Notice::Connected) {
    // A child of a listener, not yet accepted: one listening app accepts it.
    for (auto& a : apps_)
      if (a->offer_child(s)) break;
    app = owner();
  }
  if (app) {
    app->notify(s, n, e, bytes);
  } else {
    ++unclaimed_;
  }
}

}  // namespace tcpsim::app
