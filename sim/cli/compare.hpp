// `tcpsim compare A B`: two runs as two ladders side by side, row by aligned row
// (trace::Comparison), differing rows marked and explained, then the first difference.
//
// A and B are each a scenario (.json: run here) or a JSON Lines trace (.jsonl: read back, as
// `tcpsim run --trace` writes it). B may be left out when --seed-b or --profile-b says how to
// run A's scenario again. Exit codes: 0 the runs agree, 1 they differ, 2 bad input.
//
// The pieces `tcpsim diff` (diff.hpp) shares: opening a side, naming the sides, the tolerance
// option and the side-by-side ladders.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include "sim/scenario/world.hpp"
#include "sim/trace/compare.hpp"
#include "sim/trace/origin.hpp"

namespace tcpsim::cli {

// A side to compare, as the command line gives it: a scenario run here, or a trace read back.
struct SideInput {
  std::unique_ptr<scenario::World> world;
  std::optional<trace::Trace> file;
  std::unique_ptr<trace::TraceFacts> facts;
  std::string path;
  std::string details;  // "seed 1, profile rfc9293", "a trace, 52 records"
  const trace::Trace& trace() const { return world ? world->trace() : *file; }
  // What recorded it, from the trace's metadata (trace::origin_text: "Linux kernel 6.18.44, HZ
  // 250", then a live run's end and relay timing); "model" for a run and for a trace without
  // metadata (every trace the model writes).
  std::string origin() const;
  // "NAME: PATH (DETAILS)", with the origin after the path when it is not the model, or always
  // when `always_origin`: "kernel: k.jsonl: Linux kernel 6.18.44, HZ 250 (a trace, 50 records)".
  std::string header(const std::string& name, bool always_origin) const;
};

// Runs the scenario `path` (with `seed` and `profile` when set, and, when compared with the
// recorded run `kernel`, that run's conditions: scenario::take_kernel_conditions) or reads the
// trace `path` (a .jsonl file); nullopt after saying why on `err`, prefixed with `command`
// ("tcpsim compare").
std::optional<SideInput> open_side(const std::string& command, const std::string& path,
                                   std::optional<std::uint64_t> seed, const std::string& profile, std::ostream& err,
                                   const trace::Trace* kernel = nullptr, sim::Duration tolerance = {});

// How long the model runs when compared with the recorded run `kernel`: a run that ended at a
// bound (the scenario's stop time, --until, --max-real-time) saw nothing after its last record,
// so the model runs to that record and `tolerance` beyond; nullopt (to its end) for a run that
// ended with nothing left to happen, and for a trace that is not a live run's.
std::optional<sim::Duration> model_until(const trace::Trace& kernel, sim::Duration tolerance);

// Both sides: a trace first, so that a scenario compared with a kernel's trace runs on the tick
// phase that trace recorded (its linux hosts' timers then expire on the kernel's ticks) and on
// links as long as the relay made them.
std::optional<std::pair<SideInput, SideInput>> open_sides(const std::string& command, const std::string& path_a,
                                                          const std::string& path_b, std::optional<std::uint64_t> seed_b,
                                                          const std::string& profile_b, std::ostream& err,
                                                          sim::Duration tolerance);

// What the sides are called in the ladders and the summary: by what tells them apart (origin,
// profile, seed, file name), "A" and "B" when nothing short does. `path_b` is "" when B runs A's
// scenario again.
std::pair<std::string, std::string> side_names(const std::string& path_a, const std::string& path_b, const SideInput& a,
                                               const SideInput& b);

// A --tolerance value: a duration ("35ms") or "0" for exact; nullopt after saying why on `err`.
std::optional<sim::Duration> parse_tolerance(const std::string& command, const std::string& text, std::ostream& err);

struct CompareArgs {
  std::string a;
  std::string b;                        // "": A's scenario again, changed by the options below
  std::optional<std::uint64_t> seed_b;  // run B's scenario with this seed
  std::string profile_b;                // run B's scenario under this profile ("rfc9293", "linux")
  std::string tolerance;                // times closer than this are the same ("35ms")
};

int cmd_compare(const CompareArgs& args, std::ostream& out, std::ostream& err);

// The two ladders and the summary. Each side's hosts are the ones its trace names, in the order
// they first send, receive or change state.
void print_comparison(std::ostream& out, const trace::Comparison& c);

// Its parts: the side names and hosts over both ladders, then rows [from, to) of the comparison,
// one line each with its mark ("!", "<", ">") and, below a row that differs, how it differs.
void print_ladder_rows(std::ostream& out, const trace::Comparison& c, std::size_t from, std::size_t to);
// What the marks mean.
void print_legend(std::ostream& out, const trace::Comparison& c);

}  // namespace tcpsim::cli
