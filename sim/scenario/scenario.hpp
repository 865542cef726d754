// A scenario as plain structs: what the loader produces and the world is built from.
// Nothing past the loader sees JSON. scenarios/README.md documents the file format.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/app/script.hpp"
#include "models/net/config.hpp"
#include "models/tcp/params.hpp"
#include "sim/scenario/expect.hpp"
#include "sim/scenario/limits.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::scenario {

enum class Profile { Rfc9293, Linux };
const char* to_string(Profile p);

struct ScenarioNote {
  sim::Time at{};
  std::string text{};
};

// The TCP of one node: hosts run a TcpStack unless the scenario turns it off ("tcp": false), for
// scenarios that only inject crafted segments; routers never do.
struct HostTcp {
  bool enabled = true;
  tcp::TcpParams params{};
  std::optional<std::pair<std::uint16_t, std::uint16_t>> ephemeral_ports{};  // inclusive range
};

// One scripted application on a host.
struct AppConfig {
  std::string host{};
  std::string name{};
  app::Script script{};
};

// N hosts alike ("N clients like this"), kept as one description so a million of them cost no
// more than the network, stacks and apps they become. Member i (1-based) is "<name><i>" at
// address first_ip + i - 1, linked to `link_to` with `link` in both directions, runs TCP with
// `tcp` and, if given, the app `script`, whose clock starts at a time drawn uniformly from
// [0, start_spread) for each member (seeded).
struct HostGroup {
  std::string name{};
  net::Ipv4 first_ip{};
  std::uint32_t count = 0;
  HostTcp tcp{};
  std::string link_to{};
  net::LinkParams link{};
  std::shared_ptr<const app::Script> script{};
  sim::Duration start_spread{};
  std::string member(std::uint32_t i) const { return name + std::to_string(i); }
};

// A teacher's question (the "questions" section): asked when the records before the one `before`
// names are revealed, so that the student predicts that record. `before` is a record index or an
// event of the run, as the "timing" expectations name them (EventRef).
struct Question {
  std::optional<std::uint64_t> record{};  // {"record": N}
  std::optional<EventRef> event{};        // {"sends": pattern, "nth": n} or {"endpoint": e, "enters": s}
  std::string before_json{};              // "before" as written, compact JSON (the writer copies it)
  std::string ask{};
  std::vector<std::string> choices{};
  std::size_t answer = 0;                 // index into choices (the file counts from 1)
  std::string explain{};                  // "" when the file gives none
  std::string pointer{};                  // "/questions/0"
};

struct Scenario {
  std::string name{};
  std::string description{};
  std::string source{};  // file the scenario was loaded from ("" if built in code)
  std::uint64_t seed = 1;
  Profile profile = Profile::Rfc9293;
  std::optional<sim::Duration> until{};  // stop time; unset = run until no event is pending
  Limits limits{};                       // bounds on the run ("limits"); unset fields: defaults

  std::vector<net::NodeConfig> nodes;  // hosts, then routers, in file order
  std::vector<HostTcp> tcp;            // one per node, same order (routers: disabled)
  std::vector<AppConfig> apps;
  std::vector<HostGroup> groups;       // built after the nodes above
  std::vector<net::LinkConfig> links;
  std::vector<net::FaultRule> faults;
  std::vector<net::Injection> injections;
  std::vector<ScenarioNote> notes;

  Expectations expect;                     // what the run must show
  std::vector<Question> questions;         // for the GUI's learning mode
  std::optional<std::string> fingerprint;  // hash of the canonical trace, when recorded
};

}  // namespace tcpsim::scenario
