// The "apps" section: scripted applications, each on a host, each a list of steps.
//
//   {"host": "server", "name": "web", "steps": [
//      {"at": "0s", "do": "listen", "port": 80, "backlog": 5},
//      {"on": "eof", "after": "200ms", "do": "send", "bytes": 500, "repeat": 3, "interval": "100ms"},
//      {"do": "close"}]}
//
// Every step names its action in "do"; which other fields it may have depends on the action.

#include <algorithm>
#include <limits>

#include "sim/scenario/loader_detail.hpp"

namespace tcpsim::scenario::detail {
namespace {

using app::Step;

constexpr std::uint64_t kMaxSteps = 10'000;

const Names kActions{"listen", "accept", "connect", "send", "receive", "shutdown", "close", "abort"};
const Names kEvents{"connected", "accepted", "data", "eof", "error", "closed"};
const Names kTriggerFields{"do", "at", "on", "after"};

// The fields an action takes besides the trigger.
const Names& action_fields(Step::Do d) {
  static const Names listen{"port", "backlog", "iss", "linger_zero", "nodelay"};
  static const Names connect{"to", "local_port", "iss", "linger_zero", "nodelay", "reuse_addr"};
  static const Names send{"bytes", "repeat", "interval"};
  static const Names receive{"bytes"};
  static const Names none{};
  switch (d) {
    case Step::Do::Listen: return listen;
    case Step::Do::Connect: return connect;
    case Step::Do::Send: return send;
    case Step::Do::Receive: return receive;
    default: return none;
  }
}

const Names& all_step_fields() {
  static const Names all = [] {
    Names n = kTriggerFields;
    for (const char* f : {"port", "backlog", "iss", "linger_zero", "nodelay", "reuse_addr", "to", "local_port", "bytes", "repeat", "interval"}) n.push_back(f);
    return n;
  }();
  return all;
}

// "server:80" or "10.0.0.2:80".
std::optional<net::Endpoint> read_endpoint(Reader& r, const Json& v, const std::string& pointer, const NodeTable& table) {
  const std::string expected = "expected \"host:port\" like \"server:80\" or \"10.0.0.2:80\", found ";
  if (!v.is_string()) {
    r.error(pointer, expected + r.found(v, pointer));
    return std::nullopt;
  }
  const std::string& text = v.get_ref<const std::string&>();
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    r.error(pointer, expected + quote(text));
    return std::nullopt;
  }
  const std::string host = text.substr(0, colon);
  const std::string port_text = text.substr(colon + 1);
  std::uint64_t port = 0;
  const bool digits = port_text.size() <= 5 && std::all_of(port_text.begin(), port_text.end(),
                                                           [](char c) { return c >= '0' && c <= '9'; });
  if (digits) port = std::stoull(port_text);
  if (!digits || port == 0 || port > 65535) {
    r.error(pointer, "expected a port in 1..65535 after the ':', found " + quote(port_text));
    return std::nullopt;
  }
  const auto ip = table.resolve_address(r, Json(host), pointer);
  if (!ip) return std::nullopt;
  return net::Endpoint{*ip, static_cast<std::uint16_t>(port)};
}

std::optional<Step> read_step(Reader& r, const Json& v, const std::string& pointer, const NodeTable& table) {
  Object o(r, v, pointer, all_step_fields(),
           "a step object like {\"at\": \"0s\", \"do\": \"connect\", \"to\": \"server:80\"}");
  if (!o.valid()) return std::nullopt;
  Step st;
  bool ok = true;
  const Json* action = o.require("do", "the action: " + quoted_list(kActions));
  std::optional<std::string> name;
  if (action) name = r.choice(*action, o.ptr("do"), kActions, "action");
  if (!name) return std::nullopt;
  st.action = static_cast<Step::Do>(std::find(kActions.begin(), kActions.end(), *name) - kActions.begin());

  // Fields that belong to other actions.
  const Names& mine = action_fields(st.action);
  for (const std::string_view f : all_step_fields()) {
    if (std::find(kTriggerFields.begin(), kTriggerFields.end(), f) != kTriggerFields.end()) continue;
    if (o.get(f) && std::find(mine.begin(), mine.end(), f) == mine.end()) {
      r.errors().add(o.ptr(f), At::Key,
                     "field " + quote(f) + " does not apply to a \"" + *name + "\" step" +
                         (mine.empty() ? std::string(" (it takes no fields besides at, on and after)")
                                       : " (its fields: " + quoted_list(mine, " and ") + ")"));
      ok = false;
    }
  }

  if (o.get("at") && o.get("on")) {
    r.error(o.ptr("on"), "a step has \"at\" (a time) or \"on\" (an event), not both");
    ok = false;
  }
  if (o.get("at")) {
    st.at = o.duration("at", kTimeOfRun);
    ok = ok && st.at.has_value();
  }
  if (const Json* e = o.get("on")) {
    const auto ev = r.choice(*e, o.ptr("on"), kEvents, "event");
    if (ev) st.on = static_cast<app::Event>(std::find(kEvents.begin(), kEvents.end(), *ev) - kEvents.begin());
    ok = ok && ev.has_value();
  }
  if (o.get("after")) {
    const auto d = o.duration("after", kTimeOfRun);
    if (d) st.after = *d;
    ok = ok && d.has_value();
  }
  auto iss = [&] {
    if (!o.get("iss")) return;
    const auto n = o.integer("iss", 0, std::numeric_limits<std::uint32_t>::max());
    if (n) st.iss = net::SeqNum{static_cast<std::uint32_t>(*n)};
    ok = ok && n.has_value();
  };

  if (auto b = o.boolean("linger_zero")) st.linger_zero = *b;
  if (auto b = o.boolean("nodelay")) st.nodelay = *b;
  if (auto b = o.boolean("reuse_addr")) st.reuse_addr = *b;
  switch (st.action) {
    case Step::Do::Listen: {
      if (const Json* p = o.require("port", "the port to listen on, 1..65535")) {
        const auto port = r.integer(*p, o.ptr("port"), 1, 65535);
        if (port) st.port = static_cast<std::uint16_t>(*port);
        ok = ok && port.has_value();
      } else {
        ok = false;
      }
      if (o.get("backlog")) {
        const auto b = o.integer("backlog", 1, 65535);
        if (b) st.backlog = static_cast<std::uint32_t>(*b);
        ok = ok && b.has_value();
      }
      iss();
      break;
    }
    case Step::Do::Connect: {
      if (const Json* to = o.require("to", "the remote endpoint, e.g. \"server:80\"")) {
        const auto ep = read_endpoint(r, *to, o.ptr("to"), table);
        if (ep) st.remote = *ep;
        ok = ok && ep.has_value();
      } else {
        ok = false;
      }
      if (o.get("local_port")) {
        const auto p = o.integer("local_port", 1, 65535);
        if (p) st.local_port = static_cast<std::uint16_t>(*p);
        ok = ok && p.has_value();
      }
      iss();
      break;
    }
    case Step::Do::Send: {
      if (const Json* b = o.require("bytes", "how many octets to send, e.g. 1000")) {
        const auto n = r.integer(*b, o.ptr("bytes"), 1, std::uint64_t{1} << 40);
        if (n) st.bytes = *n;
        ok = ok && n.has_value();
      } else {
        ok = false;
      }
      if (o.get("repeat")) {
        const auto n = o.integer("repeat", 1, 1'000'000);
        if (n) st.repeat = static_cast<std::uint32_t>(*n);
        ok = ok && n.has_value();
      }
      if (o.get("interval")) {
        const auto d = o.duration("interval", kTimeOfRun);
        if (d) st.interval = *d;
        ok = ok && d.has_value();
      }
      break;
    }
    case Step::Do::Receive:
      if (o.get("bytes")) {
        const auto n = o.integer("bytes", 0, std::uint64_t{1} << 40);
        if (n) st.bytes = *n;
        ok = ok && n.has_value();
      }
      break;
    default: break;
  }
  if (!ok) return std::nullopt;
  return st;
}

}  // namespace

bool read_script(Object& o, const NodeTable& table, app::Script& script) {
  Reader& r = o.reader();
  if (const auto b = o.boolean("auto_accept")) script.auto_accept = *b;
  if (const auto b = o.boolean("auto_receive")) script.auto_receive = *b;
  const Json* steps = o.require("steps", "the app's steps, e.g. [{\"at\": \"0s\", \"do\": \"listen\", \"port\": 80}]");
  if (steps == nullptr || r.array(*steps, o.ptr("steps"), "steps") == nullptr) return false;
  if (steps->size() > kMaxSteps) {
    r.error(o.ptr("steps"), "expected at most " + std::to_string(kMaxSteps) + " steps, found " + elements(steps->size()));
    return false;
  }
  bool ok = true;
  for (std::size_t k = 0; k < steps->size(); ++k) {
    auto st = read_step(r, (*steps)[k], o.ptr("steps") + "/" + std::to_string(k), table);
    if (st) script.steps.push_back(*st);
    else ok = false;
  }
  return ok;
}

void read_apps(Object& top, Scenario& out, const NodeTable& table) {
  Reader& r = top.reader();
  const Json* list = top.get("apps");
  if (list == nullptr) return;
  const std::string list_pointer = top.ptr("apps");
  if (r.array(*list, list_pointer, "apps") == nullptr) return;
  static const Names kFields{"host", "name", "auto_accept", "auto_receive", "steps"};
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string pointer = list_pointer + "/" + std::to_string(i);
    Object o(r, (*list)[i], pointer, kFields,
             "an app object like {\"host\": \"client\", \"steps\": [{\"at\": \"0s\", \"do\": \"connect\", \"to\": \"server:80\"}]}");
    if (!o.valid()) continue;
    AppConfig a;
    bool ok = true;
    if (const Json* h = o.require("host", "the host the app runs on")) {
      const auto name = table.node_name(r, *h, o.ptr("host"));
      if (name) {
        const net::NodeConfig* node = table.find(*name);
        const std::size_t index = table.by_name.find(*name)->second.index;
        if (node->router) {
          r.error(o.ptr("host"), "apps run on hosts; " + quote(*name) + " is a router");
          ok = false;
        } else if (index < out.tcp.size() && !out.tcp[index].enabled) {
          r.error(o.ptr("host"), "host " + quote(*name) + " has \"tcp\": false, so no app can run on it");
          ok = false;
        }
        a.host = *name;
      } else {
        ok = false;
      }
    } else {
      ok = false;
    }
    if (const auto n = o.string("name")) a.name = *n;
    if (read_script(o, table, a.script) && ok) out.apps.push_back(std::move(a));
  }
}

}  // namespace tcpsim::scenario::detail
