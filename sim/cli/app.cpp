#include "sim/cli/app.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <fstream>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "sim/cli/bench_churn.hpp"
#include "sim/cli/bench_flood.hpp"
#include "sim/cli/bench_kernel.hpp"
#include "sim/cli/check.hpp"
#include "sim/cli/check_kernel.hpp"
#include "sim/cli/compare.hpp"
#include "sim/cli/diff.hpp"
#include "sim/cli/ladder.hpp"
#include "sim/cli/limit_flags.hpp"
#include "sim/cli/profiles.hpp"
#include "sim/cli/terminal_text.hpp"
#include "sim/diagram/svg.hpp"
#include "sim/live/run.hpp"
#include "sim/pcap/capture.hpp"
#include "sim/scenario/expect.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"
#include "sim/scenario/writer.hpp"
#include "sim/trace/jsonl.hpp"
#include "sim/trace/origin.hpp"
#include "sim/trace/output_file.hpp"

namespace tcpsim::cli {
namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 ok, 1 expectation failed, 2 bad input (scenario, usage, an output path that cannot be opened) "
    "or a run stopped at a bound, 3 internal error (also out of memory) or an output that failed while written.";

struct RunArgs {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::string until;
  std::string trace_path;
  std::string svg_path;
  std::string pcap_path;
  std::string capture_at;
  bool absolute = false;
  bool quiet = false;
  bool rfc_labels = false;
  bool brief = false;
  std::string color = "auto";
  LimitFlags limits;
  // On the real kernel (sim/live): namespaces, TUN devices and a relay playing the network.
  bool kernel = false;
  std::string profile;  // run the scenario under this profile instead of its own
  std::string max_real_time = "5min";
  int port_slot = -1;
};

// Where the CLI prints: the streams it was given, each behind a PrintableBuf.
struct Console {
  std::ostream& out;
  std::ostream& err;
  PrintableBuf& out_buf;
  bool out_is_stdout;
};

bool want_color(const std::string& mode, const Console& c) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  return c.out_is_stdout && isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
}

// A CLI11 check for an unsigned integer option: decimal digits only (no sign, no exponent, no
// wrap-around of "-1" to 2^64-1), within [lo, hi].
CLI::Validator unsigned_in(std::uint64_t lo, std::uint64_t hi) {
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  return CLI::Validator(
      [lo, hi, range](const std::string& text) -> std::string {
        const std::string expected = "expected an integer in " + range + ", found \"" + text + "\"";
        if (text.empty() || text.size() > 20) return expected;
        std::uint64_t v = 0;
        for (const char c : text) {
          if (c < '0' || c > '9') return expected;
          const auto d = static_cast<std::uint64_t>(c - '0');
          if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return expected;
          v = v * 10 + d;
        }
        return v >= lo && v <= hi ? std::string() : expected;
      },
      "UINT in " + range);
}

// The same for a real number: finite (no nan, no inf) and within [lo, hi].
CLI::Validator number_in(double lo, double hi) {
  std::ostringstream r;
  r << "[" << lo << ", " << hi << "]";
  const std::string range = r.str();
  return CLI::Validator(
      [lo, hi, range](const std::string& text) -> std::string {
        const std::string expected = "expected a number in " + range + ", found \"" + text + "\"";
        char* end = nullptr;
        errno = 0;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v)) return expected;
        return v >= lo && v <= hi ? std::string() : expected;
      },
      "NUMBER in " + range);
}

// "expectations: 5 checked, all passed", or each failure as file: pointer: message.
void print_verdict(std::ostream& out, const scenario::Verdict& v, const std::string& file) {
  if (v.passed()) {
    out << "expectations: " << v.checked << " checked, all passed\n";
    return;
  }
  out << "expectations: " << v.checked << " checked, " << v.failures.size() << " failed\n";
  for (const auto& f : v.failures) {
    out << "  FAIL " << file << ": " << f.pointer << ": " << f.message;
    if (f.record) out << " [record #" << *f.record << ", t=" << sim::format_seconds(*f.time) << " s]";
    out << "\n";
  }
}

// Loads a scenario or prints every diagnostic.
std::optional<scenario::Scenario> load(const std::string& file, std::ostream& err) {
  auto result = scenario::load_file(file);
  for (const auto& d : result.errors) err << d.to_string() << "\n";
  return std::move(result.scenario);
}

// What `run` shows of a run, whichever ran it: the ladder, the summary, and the files asked for.
// Returns kOk, or the exit code of an output that failed.
int show_run(const RunArgs& a, const Console& console, const trace::Trace& trace, const net::Network& network,
             const std::string& header, const std::string& ran, const pcap::CaptureOptions& capture) {
  std::ostream& out = console.out;
  std::ostream& err = console.err;
  const std::string& name = a.file;
  if (!a.quiet) {
    out << header << "\n";
    LadderOptions lo;
    lo.absolute = a.absolute;
    lo.rfc_labels = a.rfc_labels;
    lo.causes = !a.brief;
    lo.annotations = !a.brief;
    lo.color = want_color(a.color, console);
    console.out_buf.allow_colour(lo.color);
    print_ladder(out, trace, network, lo);
    out << "\n";
  }
  out << ran;
  print_segment_summary(out, trace);
  if (!a.svg_path.empty()) {
    diagram::Options d;
    d.absolute = a.absolute;
    trace::OutputFile svg(a.svg_path);
    if (!svg.open_error().empty()) {
      err << "tcpsim run: --svg: " << svg.open_error() << "\n";
      return kBadInput;
    }
    diagram::write_svg(svg.stream(), diagram::build_layout(trace, d, {name, {}}));
    if (const std::string why = svg.close(); !why.empty()) {
      err << "tcpsim run: --svg: " << why << "\n";
      return kInternalError;
    }
    out << "diagram: " << a.svg_path << "\n";
  }
  if (!a.pcap_path.empty()) {
    std::string why;
    bool opened = false;
    if (!pcap::write_capture(a.pcap_path, trace, capture, &why, &opened)) {
      err << "tcpsim run: --pcap: " << why << "\n";
      return opened ? kInternalError : kBadInput;
    }
    out << "pcap: " << a.pcap_path << "\n";
  }
  if (!a.trace_path.empty()) out << "trace: " << a.trace_path << " (" << trace.record_count() << " records)\n";
  return kOk;
}

// "ran to t=1.2 s: 17 trace records (#0-#16)"
std::string records_line(sim::Time end, const trace::Trace& t) {
  std::ostringstream line;
  const std::uint64_t records = t.record_count();
  line << "ran to t=" << sim::format_seconds(end) << " s: " << records << " trace record" << (records == 1 ? "" : "s");
  if (records > 0 && t.records().size() == records) line << " (#0-#" << records - 1 << ")";
  return line.str();
}

std::optional<sim::Duration> parse_positive(const std::string& text, const char* what, std::ostream& err) {
  try {
    const sim::Duration d = sim::parse_duration(text);
    if (d.count() > 0) return d;
    err << "tcpsim run: " << what << " must be greater than 0s\n";
  } catch (const sim::DurationError& e) {
    err << "tcpsim run: " << what << ": " << e.what() << "\n";
  }
  return std::nullopt;
}


// `run --kernel`: the scenario on real sockets, shown as a simulated run is.
int cmd_run_kernel(const RunArgs& a, const Console& console, scenario::Scenario sc) {
  std::ostream& out = console.out;
  std::ostream& err = console.err;
  live::LiveOptions opts;
  opts.seed = a.seed;
  if (!a.until.empty() && !(opts.until = parse_positive(a.until, "--until", err))) return kBadInput;
  const auto max_real = parse_positive(a.max_real_time, "--max-real-time", err);
  if (!max_real) return kBadInput;
  opts.max_real_time = *max_real;
  opts.port_slot = a.port_slot;
  if (!a.capture_at.empty()) {
    err << "tcpsim run: --capture-at is not available with --kernel (packets are recorded at the relay)\n";
    return kBadInput;
  }
  std::unique_ptr<live::LiveRun> run;
  try {
    run = std::make_unique<live::LiveRun>(std::move(sc), opts);
  } catch (const live::LiveError& e) {
    err << "tcpsim run --kernel: " << e.what() << "\n";
    return kBadInput;
  }
  trace::OutputFile* trace_file = nullptr;
  std::unique_ptr<trace::OutputFile> file;
  if (!a.trace_path.empty()) {
    file = std::make_unique<trace::OutputFile>(a.trace_path);
    if (!file->open_error().empty()) {
      err << "tcpsim run: --trace: " << file->open_error() << "\n";
      return kBadInput;
    }
    trace_file = file.get();
  }
  try {
    run->run();
  } catch (const live::LiveError& e) {
    err << "tcpsim run --kernel: " << a.file << ": " << e.what() << "\n";
    return kBadInput;
  }
  const trace::Trace& t = run->trace();
  if (trace_file) {
    trace::JsonlSink jsonl(trace_file->stream());
    for (const auto& r : t.records()) jsonl.write(r, t);
    jsonl.finish(t);
    if (const std::string why = trace_file->close(); !why.empty()) {
      err << "tcpsim run: --trace: " << why << "\n";
      return kInternalError;
    }
  }
  const auto& s = run->scenario();
  std::string header = "scenario " + s.name + " on the Linux kernel " + trace::meta_value(t, "kernel") + " (HZ " +
                       trace::meta_value(t, "hz") + "; relay seed " + std::to_string(run->seed()) + ")\n";
  if (!s.description.empty()) header += s.description + "\n";
  for (const auto& u : run->unmapped()) header += "not mapped to Linux: " + u + "\n";
  const auto& timing = run->timing();
  char relay[200];
  std::snprintf(relay, sizeof relay,
                ", ended: %s\nrelay: %llu packets written into the namespaces, late by median %.0f us, p99 %.0f us, "
                "max %.0f us\n",
                live::to_string(run->end()), static_cast<unsigned long long>(timing.packets), timing.late_median_us,
                timing.late_p99_us, timing.late_max_us);
  const int shown = show_run(a, console, t, run->network(), header, records_line(run->end_time(), t) + relay, {});
  if (shown != kOk) return shown;
  if (!s.expect.empty()) out << "expectations: not checked on the kernel (they describe the model; see tcpsim diff)\n";
  return kOk;
}

int cmd_run(const RunArgs& a, const Console& console) {
  std::ostream& out = console.out;
  std::ostream& err = console.err;
  auto sc = load(a.file, err);
  if (!sc) return kBadInput;
  if (!a.profile.empty()) {
    std::string why;
    auto edited = scenario::with_tcp(*sc, a.profile == "linux" ? scenario::Profile::Linux : scenario::Profile::Rfc9293, {}, &why);
    if (!edited) {
      err << "tcpsim run: --profile: " << why << "\n";
      return kBadInput;
    }
    sc = std::move(*edited);
  }
  if (a.kernel) return cmd_run_kernel(a, console, std::move(*sc));
  scenario::RunOptions opts;
  opts.seed = a.seed;
  if (!a.until.empty() && !(opts.until = parse_positive(a.until, "--until", err))) return kBadInput;
  if (!parse_limit_flags(a.limits, "tcpsim run", opts.limits, err)) return kBadInput;
  scenario::World world(std::move(*sc), opts);
  pcap::CaptureOptions capture;
  if (!a.capture_at.empty()) {
    std::string why;
    capture.at = pcap::find_capture_host(world.network(), a.capture_at, &why);
    if (!capture.at) {
      err << "tcpsim run: --capture-at: " << why << "\n";
      return kBadInput;
    }
  }
  std::unique_ptr<trace::OutputFile> trace_file;
  std::unique_ptr<trace::JsonlSink> jsonl;
  if (!a.trace_path.empty()) {
    trace_file = std::make_unique<trace::OutputFile>(a.trace_path);
    if (!trace_file->open_error().empty()) {
      err << "tcpsim run: --trace: " << trace_file->open_error() << "\n";
      return kBadInput;
    }
    jsonl = std::make_unique<trace::JsonlSink>(trace_file->stream());
    world.add_sink(jsonl.get());
  }
  world.run();
  if (trace_file) {
    if (const std::string why = trace_file->close(); !why.empty()) {
      err << "tcpsim run: --trace: " << why << "\n";
      return kInternalError;
    }
  }

  const auto& s = world.scenario();
  std::string header = "scenario " + s.name + " (seed " + std::to_string(world.seed()) + ", profile " +
                       scenario::to_string(s.profile) + ")\n";
  if (!s.description.empty()) header += s.description + "\n";
  // One numbering: the "#" of the ladder is the trace record index; events are the scheduler's.
  const std::string ran = records_line(world.scheduler().now(), world.trace()) + ", " +
                          std::to_string(world.scheduler().executed()) + " scheduler events\n";
  if (const int shown = show_run(a, console, world.trace(), world.network(), header, ran, capture); shown != kOk) return shown;
  // A run stopped at a bound is incomplete: its expectations are not checked.
  if (const auto& hit = world.bound_hit()) {
    err << "tcpsim run: " << a.file << ": " << hit->what() << "; " << hit->how_to_raise(true) << "\n";
    return kBadInput;
  }
  if (s.expect.empty() && s.questions.empty()) return kOk;  // questions are checked against the run too
  const scenario::Verdict v = scenario::check(world);
  print_verdict(out, v, s.source);
  return v.passed() ? kOk : kExpectationFailed;
}

int cmd_validate(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  int bad = 0;
  for (const auto& f : files) {
    auto result = scenario::load_file(f);
    if (result.ok()) {
      out << "ok      " << f << " (" << result.scenario->name << ")\n";
    } else {
      ++bad;
      out << "invalid " << f << "\n";
      for (const auto& d : result.errors) err << d.to_string() << "\n";
    }
  }
  if (files.size() > 1) out << (files.size() - bad) << " valid, " << bad << " invalid\n";
  return bad == 0 ? kOk : kBadInput;
}

struct BenchArgs {
  std::uint64_t pending = 1'000'000;
  std::uint64_t events = 10'000'000;
  std::string queue = "all";
};

int cmd_bench_kernel(const BenchArgs& a, std::ostream& out) {
  out << "kernel benchmark: " << a.pending << " pending timers, " << a.events
      << " events, 30% of firings re-arm or cancel another timer first\n";
  for (const auto kind : {sim::QueueKind::Wheel, sim::QueueKind::Radix, sim::QueueKind::Heap}) {
    const char* q = sim::queue_kind_name(kind);
    if (a.queue != "all" && a.queue != q) continue;
    KernelBenchParams p;
    p.pending = a.pending;
    p.events = a.events;
    p.queue = kind;
    const auto r = run_kernel_bench(p);
    char line[320];
    std::snprintf(line, sizeof line,
                  "  queue %-6s %12llu events in %7.3f s = %6.2f M events/s wall, %6.2f M per CPU-second  "
                  "(re-armed %llu, cancelled %llu, setup %.2f s)\n",
                  q, static_cast<unsigned long long>(r.executed), r.run_seconds, r.events_per_second() / 1e6,
                  r.events_per_cpu_second() / 1e6, static_cast<unsigned long long>(r.rearmed),
                  static_cast<unsigned long long>(r.cancelled), r.setup_seconds);
    out << line;
  }
  return kOk;
}

int run_commands(int argc, const char* const* argv, const Console& console) {
  std::ostream& out = console.out;
  std::ostream& err = console.err;
  CLI::App app{"tcpsim: a discrete-event simulator of TCP connection management (RFC 9293)", "tcpsim"};
  app.footer(kExitCodes);
  app.set_version_flag("--version", "tcpsim 0.1.0");
  app.require_subcommand(1);

  RunArgs run_args;
  auto* run = app.add_subcommand("run", "Run one scenario: print its ladder diagram and segment summary");
  run->add_option("file", run_args.file, "Scenario file (.json)")->required();
  run->add_option("--seed", run_args.seed, "Override the scenario's seed")->check(unsigned_in(0, std::numeric_limits<std::uint64_t>::max()));
  run->add_option("--until", run_args.until, "Stop at this virtual time (e.g. 10s), overriding the scenario");
  run->add_option("--trace", run_args.trace_path, "Write the trace as JSON Lines to this file");
  run->add_option("--svg", run_args.svg_path, "Write the sequence diagram as SVG to this file");
  auto* pcap_opt = run->add_option("--pcap", run_args.pcap_path, "Write every segment as an IPv4+TCP packet to this pcap file");
  run->add_option("--capture-at", run_args.capture_at,
                  "Capture at this host's interface (what it sent and received) instead of where segments leave their sender")
      ->needs(pcap_opt);
  run->add_flag("--absolute", run_args.absolute, "Show absolute sequence numbers (default: relative to ISN)");
  run->add_flag("-q,--quiet", run_args.quiet, "Print only the summary, not the ladder");
  run->add_flag("--rfc", run_args.rfc_labels, "Label segments as RFC 9293 figures do: <SEQ=100><ACK=301><CTL=SYN,ACK>");
  run->add_flag("--brief", run_args.brief, "Leave out user calls, timer expiries and the rule behind each state change");
  run->add_option("--color", run_args.color, "Colour the ladder: auto (on a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  add_limit_flags(*run, run_args.limits);
  run->add_option("--profile", run_args.profile, "Run the scenario under this profile instead of its own: rfc9293 or linux")
      ->check(CLI::IsMember({"rfc9293", "linux"}));
  run->add_flag("--kernel", run_args.kernel,
                "Play the scenario on the real Linux kernel: a network namespace per host, the network model relaying "
                "in real time (needs root and /dev/net/tun)");
  run->add_option("--max-real-time", run_args.max_real_time, "With --kernel: stop after this much wall-clock time (default 5min)");
  run->add_option("--port-slot", run_args.port_slot,
                  "With --kernel: ephemeral ports from slot N (40000 + 1000 N), so that concurrent runs are told apart")
      ->check(CLI::Range(0, live::kPortSlots - 1));
  run->footer(kExitCodes);

  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand("validate", "Check scenario files and report every error");
  validate->add_option("files", validate_files, "Scenario files")->required();
  validate->footer(kExitCodes);

  CheckArgs check_args;
  auto* check = app.add_subcommand("check", "Run scenarios as regression tests: verdict per scenario, summary, exit code");
  check->add_option("paths", check_args.paths, "Scenario files or directories (searched recursively; default: scenarios)");
  check->add_option("-j,--jobs", check_args.jobs, "Scenarios run in parallel (default: the number of cores)")
      ->check(unsigned_in(1, 1024));
  check->add_option("--junit", check_args.junit, "Write JUnit XML to this file");
  check->add_option("--filter", check_args.filter, "Only scenarios whose id (path without .json) matches this regex");
  check->add_option("--out", check_args.out_dir, "Write per-scenario trace.jsonl, capture.pcap and summary.json (and failure ladders) here");
  check->add_flag("--bless", check_args.bless, "Record each scenario's fingerprint (and its .trace file) instead of checking it");
  check->add_flag("-q,--quiet", check_args.quiet, "Print only failures and the summary");
  check->add_flag("--kernel", check_args.kernel,
                  "Play every linux-profile scenario on the real kernel too and compare it with the model: agreement "
                  "per scenario and in all (needs root and /dev/net/tun)");
  check->add_option("--max-real-time", check_args.max_real_time, "With --kernel: wall-clock bound of each kernel run (default 75s)");
  check->add_option("--tolerance", check_args.tolerance, "With --kernel: times closer than this agree (default 35ms)");
  check->add_flag("--strict", check_args.strict, "With --kernel: exit 1 when a scenario differs");
  add_limit_flags(*check, check_args.limits);
  check->footer(kExitCodes);

  CompareArgs compare_args;
  auto* compare = app.add_subcommand("compare", "Compare two runs: two ladders side by side, differing rows marked");
  compare->add_option("a", compare_args.a, "A: a scenario (.json, run) or a trace (.jsonl, as run --trace writes it)")->required();
  compare->add_option("b", compare_args.b, "B: the same; leave it out to run A's scenario again with --seed-b / --profile-b");
  compare->add_option("--seed-b", compare_args.seed_b, "Run B's scenario with this seed")
      ->check(unsigned_in(0, std::numeric_limits<std::uint64_t>::max()));
  compare->add_option("--profile-b", compare_args.profile_b, "Run B's scenario under this profile: rfc9293 or linux")
      ->check(CLI::IsMember({"rfc9293", "linux"}));
  compare->add_option("--tolerance", compare_args.tolerance, "Times closer than this are the same (e.g. 35ms; default: exact)");
  compare->footer(
      "Exit codes: 0 the runs agree, 1 they differ, 2 bad input (a scenario or trace that cannot be read, usage) "
      "or a run stopped at a bound, 3 internal error.");

  DiffArgs diff_args;
  auto* diff = app.add_subcommand(
      "diff", "Check one run against another (the kernel against the model): first divergence, state paths, ladders");
  diff->add_option("a", diff_args.a, "A: a trace (.jsonl: a live run's, or run --trace's) or a scenario (.json, run)")->required();
  diff->add_option("b", diff_args.b, "B: the same")->required();
  diff->add_option("--tolerance", diff_args.tolerance, "Times closer than this are the same (default 35ms; 0: exact)");
  diff->add_flag("--windows", diff_args.windows, "Compare advertised windows too (default: not compared)");
  diff->add_option("--context", diff_args.context, "Rows shown before the first divergence (default 3)")
      ->check(unsigned_in(0, 1000));
  diff->footer(
      "Exit codes: 0 the runs agree, 1 they differ, 2 bad input (a scenario or trace that cannot be read, usage) "
      "or a run stopped at a bound, 3 internal error.");

  bool profiles_markdown = false;
  auto* profiles = app.add_subcommand("profiles", "List every TCP parameter with its rfc9293 and linux values");
  profiles->add_flag("--markdown", profiles_markdown, "Print the table of scenarios/README.md");

  auto* bench = app.add_subcommand("bench", "Run a built-in benchmark and print its figures");
  bench->require_subcommand(1);
  BenchArgs bench_args;
  auto* bench_kernel = bench->add_subcommand("kernel", "Event scheduler alone: a timer-heavy mix with 1M pending");
  bench_kernel->add_option("--pending", bench_args.pending, "Timers kept pending")->check(unsigned_in(1, 100'000'000));
  bench_kernel->add_option("--events", bench_args.events, "Events to execute")->check(unsigned_in(1, 2'000'000'000));
  bench_kernel->add_option("--queue", bench_args.queue, "wheel (the default queue), radix, heap or all")
      ->check(CLI::IsMember({"wheel", "radix", "heap", "all"}));

  ChurnParams churn_args;
  bool churn_json = false;
  auto* bench_churn = bench->add_subcommand("churn", "N clients connect, send 1000 bytes and close (see README: Performance)");
  bench_churn->add_option("--clients", churn_args.clients, "Number of clients")->check(unsigned_in(1, 10'000'000));
  bench_churn->add_option("--loss", churn_args.loss, "Random loss on every link")->check(number_in(0.0, 0.5));
  bench_churn->add_flag("--records", churn_args.keep_records, "Keep the trace records in memory (as tcpsim run does)");
  bench_churn->add_option("--seed", churn_args.seed, "Seed")->check(unsigned_in(0, std::numeric_limits<std::uint64_t>::max()));
  bench_churn->add_flag("--json", churn_json, "Print one JSON object");

  FloodParams flood_args;
  bool flood_json = false;
  auto* bench_flood = bench->add_subcommand("flood", "A spoofed SYN flood against a listen backlog while clients connect");
  bench_flood->add_option("--rate", flood_args.rate, "Spoofed SYNs per second")->check(unsigned_in(1, 10'000'000));
  bench_flood->add_option("--seconds", flood_args.seconds, "Flood duration (virtual seconds)")->check(number_in(0.01, 3600.0));
  bench_flood->add_option("--clients", flood_args.clients, "Legitimate clients")->check(unsigned_in(1, 1'000'000));
  bench_flood->add_option("--backlog", flood_args.backlog, "Server listen backlog")->check(unsigned_in(1, 65535));
  bench_flood->add_flag("--syn-cookies", flood_args.syn_cookies, "Answer with SYN cookies when the SYN queue is full");
  bench_flood->add_flag("--json", flood_json, "Print one JSON object");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version are "errors" with exit code 0 in CLI11.
    if (e.get_exit_code() == 0) {
      app.exit(e, out, err);
      return kOk;
    }
    app.exit(e, out, err);
    return kBadInput;
  }

  try {
    if (*run) return cmd_run(run_args, console);
    if (*validate) return cmd_validate(validate_files, out, err);
    if (*check) return check_args.kernel ? cmd_check_kernel(check_args, out, err)
                                         : cmd_check(check_args, out, err);
    if (*compare) return cmd_compare(compare_args, out, err);
    if (*diff) return cmd_diff(diff_args, out, err);
    if (*bench_kernel) return cmd_bench_kernel(bench_args, out);
    if (*bench_flood) {
      print_flood(out, flood_args, run_flood(flood_args), flood_json);
      return kOk;
    }
    if (*bench_churn) {
      const ChurnResult r = run_churn(churn_args);
      print_churn(out, churn_args, r, churn_json);
      return r.correct() ? kOk : kExpectationFailed;
    }
    if (*profiles) {
      print_profiles(out, profiles_markdown);
      return kOk;
    }
  } catch (const std::bad_alloc&) {
    // Everything the run held is freed by now, so there is memory to say so.
    err << "tcpsim: out of memory";
    if (*run) err << " while running " << run_args.file << "; bound the trace kept in memory with --max-records N";
    err << "\n";
    return kInternalError;
  } catch (const std::exception& e) {
    err << "tcpsim: internal error: " << e.what() << "\n";
    return kInternalError;
  }
  return kInternalError;
}

}  // namespace

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  PrintableBuf out_buf(out);
  PrintableBuf err_buf(err);
  std::ostream safe_out(&out_buf);
  std::ostream safe_err(&err_buf);
  const int code = run_commands(argc, argv, Console{safe_out, safe_err, out_buf, &out == &std::cout});
  safe_err.flush();
  safe_out.flush();
  if (!safe_out || !out) {
    // Said on the error stream, which may still work (`tcpsim run x.json > /dev/full`).
    err << "tcpsim: cannot write " << (out.rdbuf() == std::cout.rdbuf() ? "to standard output" : "the output") << "\n";
    return kInternalError;
  }
  return code;
}

}  // namespace tcpsim::cli
