// Scenario -> JSON text in the format of scenarios/README.md, the loader's inverse: a scenario
// edited in the GUI (what-if: links, fault rules, profile and TCP parameters) can be saved and
// loaded back.
//
// The output loads back to the same Scenario (load_string(write_scenario(s)) == s field by
// field) and runs to the same trace. Defaults are left out where the loader supplies them; link
// parameters are written once when both directions agree, else as a_to_b / b_to_a.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/trace/origin.hpp"

namespace tcpsim::scenario {

// The scenario as pretty-printed JSON (two-space indent, trailing newline). Questions are written
// from their structs, each "before" as the file gave it (Question::before_json). The expectations
// are not rebuilt from their structs: `expect_json`, the "expect" value of the file the scenario
// came from (expect_block()), is copied as it is; empty: no "expect" block.
std::string write_scenario(const Scenario& s, const std::string& expect_json = {});

// The "expect" value of a scenario file's text as compact JSON, or "" when it has none or the
// text is not JSON.
std::string expect_block(const std::string& file_text);

// Every TCP parameter of `p` (tcp::visit_params order) with its value as a scenario writes it,
// compact JSON: ("msl", "\"60s\""), ("syn_retries", "6"), ("user_timeout", "null"), ...
std::vector<std::pair<std::string, std::string>> tcp_param_texts(const tcp::TcpParams& p);

// `s` with the TCP parameters `fields` (name -> JSON value text, as tcp_param_texts writes them)
// set on every host and group that runs TCP, and the scenario profile `profile`, read back by
// the loader itself: the same names, types and checks as a scenario file. nullopt and `error`
// ("/hosts/0/tcp/msl: expected a duration ...") when the loader refuses a value.
std::optional<Scenario> with_tcp(const Scenario& s, Profile profile,
                                 const std::vector<std::pair<std::string, std::string>>& fields, std::string* error);

// Every host and group of `s` whose TCP ticks at `phase.hz` (the linux profile's HZ, as the
// kernel's) takes over the kernel's tick phase: its jiffies at time 0 and how far into its tick
// time 0 lies, so that its timers expire on the ticks the kernel's did. Returns how many took it.
std::size_t take_tick_phase(Scenario& s, const trace::TickPhase& phase);

// Every link of `s` (both directions, and the links of host groups) made `extra` longer: the
// model's network as a kernel run's relay delivered it (trace::relay_lateness), so that both
// sides measure the same round trips (Linux rounds an RTO up to whole ticks, and 20.3 ms of RTT
// is a tick more than 20 ms). Returns how many link directions changed.
std::size_t lengthen_links(Scenario& s, sim::Duration extra);

// What a recorded kernel run had that the scenario does not say, taken over by `s` before the
// model runs it for a comparison: the tick phase (take_tick_phase) and the relay's lateness
// (lengthen_links). Returns the words for a header, "" when nothing was taken: ", the kernel's
// tick phase (jiffies 4296106867 + 0.354 ms), links +97 us (the relay's median lateness)".
std::string take_kernel_conditions(Scenario& s, const trace::Trace& kernel);

}  // namespace tcpsim::scenario
