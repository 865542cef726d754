// A scenario as plain structs: what the loader produces and the world is built from.
// Nothing past the loader sees JSON. scenarios/README.md documents the file format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/net/config.hpp"
#include "sim/kernel/time.hpp"

namespace tcpsim::scenario {

enum class Profile { Rfc9293, Linux };
const char* to_string(Profile p);

struct ScenarioNote {
  sim::Time at{};
  std::string text{};
};

struct Scenario {
  std::string name{};
  std::string description{};
  std::string source{};  // file the scenario was loaded from ("" if built in code)
  std::uint64_t seed = 1;
  Profile profile = Profile::Rfc9293;
  std::optional<sim::Duration> until{};  // stop time; unset = run until no event is pending

  std::vector<net::NodeConfig> nodes;  // hosts, then routers, in file order
  std::vector<net::LinkConfig> links;
  std::vector<net::FaultRule> faults;
  std::vector<net::Injection> injections;
  std::vector<ScenarioNote> notes;
};

}  // namespace tcpsim::scenario
