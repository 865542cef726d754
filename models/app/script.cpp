#include "models/app/script.hpp"

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

ScriptedApp::ScriptedApp(sim::Scheduler& sched, tcp::TcpStack& stack, Script script)
    : sched_(sched), stack_(stack), script_(std::move(script)), fired_(script_.steps.size(), false) {}

ScriptedApp::~ScriptedApp() {
  for (const sim::EventId id : pending_) sched_.cancel(id);
}

void ScriptedApp::start() {
  if (started_) return;
  started_ = true;
  for (std::size_t i = 0; i < script_.steps.size(); ++i) {
    const Step& st = script_.steps[i];
    if (st.at) {
      schedule(i, sim::Time::zero() + *st.at + st.after);
    } else if (!st.on) {
      schedule(i, sched_.now() + st.after);
    }
  }
}

void ScriptedApp::schedule(std::size_t i, sim::Time at) {
  if (at < sched_.now()) at = sched_.now();  // an `at` already past runs now
  pending_.push_back(sched_.schedule_at(at, [this, i] { run(i); }));
}

void ScriptedApp::trigger(Event e) {
  for (std::size_t i = 0; i < script_.steps.size(); ++i) {
    const Step& st = script_.steps[i];
    if (st.at || !st.on || *st.on != e || fired_[i]) continue;
    fired_[i] = true;
    schedule(i, sched_.now() + st.after);
  }
}

void ScriptedApp::run(std::size_t i) {
  const Step& st = script_.steps[i];
  ++steps_run_;
  const SocketId cur = socket_ != tcp::kNoSocket ? socket_ : listener_;
  switch (st.action) {
    case Step::Do::Listen: {
      const SocketId l = stack_.listen(st.port, st.backlog);
      if (l == tcp::kNoSocket) {
        ++calls_failed_;
      } else {
        listener_ = l;
      }
      break;
    }
    case Step::Do::Connect: {
      const SocketId s = stack_.connect(st.remote, st.local_port);
      if (s == tcp::kNoSocket) {
        ++calls_failed_;
      } else {
        socket_ = s;
        owned_.insert(s);
      }
      break;
    }
    case Step::Do::Send:
      if (st.repeat > 0) send_chunk(i, st.repeat);
      break;
    case Step::Do::Receive:
      bytes_received_ += stack_.receive(cur, st.bytes == 0 ? UINT64_MAX : st.bytes);
      break;
    case Step::Do::Shutdown:
    case Step::Do::Close:
      note(stack_.close(cur));
      break;
    case Step::Do::Abort:
      note(stack_.abort(cur));
      break;
  }
}

void ScriptedApp::send_chunk(std::size_t i, std::uint32_t left) {
  const Step& st = script_.steps[i];
  std::uint64_t accepted = 0;
  note(stack_.send(socket_, st.bytes, &accepted));
  bytes_sent_ += accepted;
  if (--left == 0) return;
  const auto idx = static_cast<std::uint32_t>(i);
  pending_.push_back(sched_.schedule_in(st.interval, [this, idx, left] { send_chunk(idx, left); }));
}

void ScriptedApp::adopt(SocketId child) {
  owned_.insert(child);
  socket_ = child;
  connected_ = true;
  trigger(Event::Accepted);
}

bool ScriptedApp::offer_child() {
  if (!listening() || !script_.auto_accept) return false;
  const auto child = stack_.accept(listener_);
  if (!child) return false;
  adopt(*child);
  return true;
}

void ScriptedApp::notify(SocketId s, Notice n, AppError e, std::uint64_t) {
  // Events fire on the current socket, or on the listener while there is none.
  const bool current = s == (socket_ != tcp::kNoSocket ? socket_ : listener_);
  switch (n) {
    case Notice::Connected:
      connected_ = true;
      if (current) trigger(Event::Connected);
      break;
    case Notice::Data:
      if (script_.auto_receive) bytes_received_ += stack_.receive(s, UINT64_MAX);
      if (current) trigger(Event::Data);
      break;
    case Notice::Eof:
      eof_seen_ = true;
      if (current) trigger(Event::Eof);
      break;
    case Notice::Error:
      last_error_ = e;
      if (current) trigger(Event::Error);
      break;
    case Notice::Closed:
      if (current) trigger(Event::Closed);
      break;
  }
}

AppHost::AppHost(sim::Scheduler& sched, tcp::TcpStack& stack) : sched_(sched), stack_(stack) {
  stack_.set_observer([this](SocketId s, Notice n, AppError e, std::uint64_t bytes) { dispatch(s, n, e, bytes); });
}

AppHost::~AppHost() { stack_.set_observer(nullptr); }

ScriptedApp& AppHost::add(Script script) {
  apps_.push_back(std::make_unique<ScriptedApp>(sched_, stack_, std::move(script)));
  return *apps_.back();
}

void AppHost::start() {
  for (auto& app : apps_) app->start();
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
    // A child of a listener, not yet accepted: the listening apps accept their children.
    for (auto& a : apps_) {
      while (a->offer_child()) {
      }
    }
    app = owner();
  }
  if (app) {
    app->notify(s, n, e, bytes);
  } else {
    ++unclaimed_;
  }
}

}  // namespace tcpsim::app
