#include "sim/cli/check_kernel.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "sim/cli/app.hpp"
#include "sim/cli/compare.hpp"
#include "sim/live/privileges.hpp"
#include "sim/live/run.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"
#include "sim/scenario/writer.hpp"
#include "sim/trace/compare.hpp"
#include "sim/trace/facts.hpp"
#include "sim/trace/jsonl_read.hpp"
#include "sim/trace/origin.hpp"

namespace tcpsim::cli {
namespace {

namespace fs = std::filesystem;

struct Case {
  scenario::BatchInput input;
  std::optional<scenario::Scenario> scenario;
  std::string verdict;  // set once known
  enum class Kind { Pending, Agrees, Differs, CannotPlay, Failed } kind = Kind::Pending;
  bool injects = false;
  pid_t pid = -1;
  int slot = -1;
  fs::path trace, log;
  std::string kernel, hz;  // the kernel trace's meta: release and HZ
  double seconds = 0;
  std::chrono::steady_clock::time_point started;
};

std::string last_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}


// Starts `tcpsim run --kernel` for one case in a child process of its own (a fork: the run needs
// no exec, and a test binary can do the same); its output goes to the case's log.
pid_t spawn_run(const Case& c, const std::string& max_real_time) {
  const std::vector<std::string> args{"tcpsim", "run", "--kernel", "-q", c.input.file.string(), "--trace", c.trace.string(),
                                      "--port-slot", std::to_string(c.slot), "--max-real-time", max_real_time};
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int log = open(c.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log < 0) _exit(kInternalError);
  dup2(log, STDOUT_FILENO);
  dup2(log, STDERR_FILENO);
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ofstream out("/dev/stdout");
  const int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, out);
  out.flush();
  _exit(code);
}

// The kernel's trace against the model's run of the same scenario, up to where the kernel's ended.
void judge(Case& c, sim::Duration tolerance) {
  auto read = trace::read_jsonl_file(c.trace.string());
  if (!read.trace) {
    c.kind = Case::Kind::Failed;
    c.verdict = "kernel trace unreadable: " + read.error->to_string();
    return;
  }
  const trace::Trace& kernel = *read.trace;
  c.kernel = trace::meta_value(kernel, "kernel");
  c.hz = trace::meta_value(kernel, "hz");
  scenario::RunOptions opts;
  opts.until = model_until(kernel, tolerance);
  // The model's linux hosts tick in the kernel's phase, so their timers expire on its ticks, and
  // its links are as long as the relay made them (scenario::take_kernel_conditions).
  scenario::take_kernel_conditions(*c.scenario, kernel);
  scenario::World model(std::move(*c.scenario), opts);
  model.run();
  const trace::TraceFacts kf(kernel), mf(model.trace());
  const trace::CompareOptions co = trace::kernel_options(tolerance);
  const trace::Comparison cmp({&kernel, &kf, "kernel"}, {&model.trace(), &mf, "model"}, co);
  if (cmp.equal()) {
    c.kind = Case::Kind::Agrees;
    c.verdict = "agrees (" + std::to_string(cmp.rows().size()) + " events)";
    return;
  }
  const trace::CompareRow& row = cmp.rows()[cmp.first_difference()];
  c.kind = Case::Kind::Differs;
  std::ostringstream v;
  v << "differs at ";
  if (row.a != trace::kNoRecord) v << "kernel #" << kernel.records()[row.a].index << " (t=" << sim::format_seconds(kernel.records()[row.a].time) << " s)";
  else v << "model #" << model.trace().records()[row.b].index << " (t=" << sim::format_seconds(model.trace().records()[row.b].time) << " s)";
  const std::string ka = cmp.event_text(row, true), mb = cmp.event_text(row, false);
  v << ": kernel " << (ka.empty() ? "has nothing here" : ka) << "; model " << (mb.empty() ? "has nothing here" : mb);
  if (row.kind == trace::RowKind::Differs) v << " [" << cmp.difference_text(row) << "]";
  c.verdict = v.str();
}

// The fidelity table (`--out DIR` writes DIR/fidelity.md): one row per scenario with its verdict,
// under the kernel release and HZ the runs were taken on.
void write_fidelity_table(const fs::path& file, const std::vector<Case>& cases, std::size_t agree, std::size_t played,
                          const std::string& tolerance) {
  std::string kernel = "unknown", hz = "unknown";
  for (const Case& c : cases) {
    if (c.kernel.empty()) continue;
    kernel = c.kernel;
    hz = c.hz.empty() ? hz : c.hz;
    break;
  }
  std::ofstream f(file);
  f << "# The linux profile against the Linux kernel\n\n";
  f << "Taken on Linux " << kernel << " (HZ " << hz << ") by `tcpsim check --kernel`, each scenario played on real\n"
    << "sockets in network namespaces and compared with the model's run of it: segments exact, times within "
    << tolerance << ",\nstates and application outcomes equal.\n\n";
  f << "**" << agree << " of " << played << " scenarios agree.**\n\n";
  f << "| scenario | verdict | wall time |\n|---|---|---|\n";
  const auto cell = [](std::string s) {
    std::string out;
    for (char ch : s) out += ch == '|' ? std::string("\\|") : std::string(1, ch);
    return out;
  };
  for (const Case& c : cases) {
    char t[32];
    std::snprintf(t, sizeof t, "%.1f s", c.seconds);
    f << "| " << cell(c.input.id) << " | " << cell(c.verdict) << " | " << t << " |\n";
  }
}

}  // namespace

int cmd_check_kernel(const CheckArgs& a, std::ostream& out, std::ostream& err) {
  std::vector<scenario::BatchInput> inputs;
  if (const int code = collect_inputs(a, inputs, err); code != kOk) return code;
  if (const auto missing = live::missing_privileges()) {
    err << "tcpsim check --kernel: " << *missing << "\n";
    return kBadInput;
  }
  sim::Duration tolerance{};
  try {
    tolerance = sim::parse_duration(a.tolerance);
    const auto max_real = sim::parse_duration(a.max_real_time);
    if (max_real.count() <= 0) throw sim::DurationError("must be greater than 0s");
  } catch (const sim::DurationError& e) {
    err << "tcpsim check --kernel: --tolerance / --max-real-time: " << e.what() << "\n";
    return kBadInput;
  }

  // Where the runs write: --out, or a directory of our own removed at the end.
  fs::path dir = a.out_dir;
  bool own_dir = false;
  if (dir.empty()) {
    char tmpl[] = "/tmp/tcpsim-kernel-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      err << "tcpsim check --kernel: cannot make a temporary directory\n";
      return kInternalError;
    }
    dir = tmpl;
    own_dir = true;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);

  std::vector<Case> cases;
  std::size_t skipped = 0;
  bool invalid = false;
  for (const auto& in : inputs) {
    auto loaded = scenario::load_file(in.file.string());
    Case c;
    c.input = in;
    if (!loaded.ok()) {
      c.kind = Case::Kind::Failed;
      c.verdict = "invalid: " + loaded.errors.front().to_string();
      invalid = true;
    } else if (loaded.scenario->profile != scenario::Profile::Linux) {
      ++skipped;
      continue;
    } else if (const auto problems = live::live_problems(*loaded.scenario); !problems.empty()) {
      c.kind = Case::Kind::CannotPlay;
      c.verdict = "cannot be played on the kernel: " + problems.front();
    } else {
      c.injects = !loaded.scenario->injections.empty();
      c.scenario = std::move(loaded.scenario);
      std::string name = in.id;
      for (char& ch : name)
        if (ch == '/') ch = '-';
      c.trace = dir / (name + ".kernel.jsonl");
      c.log = dir / (name + ".kernel.log");
    }
    cases.push_back(std::move(c));
  }

  const unsigned jobs = std::min<unsigned>(a.jobs != 0 ? a.jobs : 4, live::kPortSlots);
  // Every slot, least recently used first: a slot's previous run may leave kernel events behind
  // while its namespaces are torn down, so a slot rests as long as it can.
  std::vector<bool> slot_used(live::kPortSlots, false);
  std::vector<std::size_t> slot_freed(live::kPortSlots, 0);
  std::size_t releases = 0;
  std::size_t next = 0, running = 0, printed = 0;
  bool injecting = false;
  const auto print_ready = [&] {
    while (printed < cases.size() && cases[printed].kind != Case::Kind::Pending) {
      const Case& c = cases[printed++];
      char t[32];
      std::snprintf(t, sizeof t, "%7.1f s", c.seconds);
      if (!a.quiet || c.kind != Case::Kind::Agrees) out << t << "  " << c.input.id << ": " << c.verdict << "\n" << std::flush;
    }
  };
  for (;;) {
    // Start what fits: a free slot, and no second injecting scenario.
    for (std::size_t i = next; i < cases.size() && running < jobs; ++i) {
      Case& c = cases[i];
      if (c.kind != Case::Kind::Pending || c.pid > 0) continue;
      if (c.injects && injecting) continue;
      int slot = -1;
      for (int k = 0; k < live::kPortSlots; ++k) {
        if (!slot_used[static_cast<std::size_t>(k)] && (slot < 0 || slot_freed[static_cast<std::size_t>(k)] < slot_freed[static_cast<std::size_t>(slot)])) slot = k;
      }
      c.slot = slot;
      c.started = std::chrono::steady_clock::now();
      c.pid = spawn_run(c, a.max_real_time);
      if (c.pid < 0) {
        c.kind = Case::Kind::Failed;
        c.verdict = "could not start a kernel run (fork failed)";
        continue;
      }
      slot_used[static_cast<std::size_t>(slot)] = true;
      injecting = injecting || c.injects;
      ++running;
    }
    while (next < cases.size() && cases[next].kind != Case::Kind::Pending) ++next;
    print_ready();
    if (running == 0) break;
    int status = 0;
    const pid_t done = waitpid(-1, &status, 0);
    if (done < 0) continue;
    for (Case& c : cases) {
      if (c.pid != done || c.kind != Case::Kind::Pending) continue;
      --running;
      slot_used[static_cast<std::size_t>(c.slot)] = false;
      slot_freed[static_cast<std::size_t>(c.slot)] = ++releases;
      if (c.injects) injecting = false;
      c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - c.started).count();
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        c.kind = Case::Kind::Failed;
        c.verdict = "the kernel run failed: " + last_line(c.log);
      } else {
        try {
          judge(c, tolerance);
        } catch (const std::exception& e) {
          c.kind = Case::Kind::Failed;
          c.verdict = std::string("the comparison failed: ") + e.what();
        }
      }
    }
  }

  std::map<Case::Kind, std::size_t> n;
  for (const Case& c : cases) ++n[c.kind];
  const std::size_t played = n[Case::Kind::Agrees] + n[Case::Kind::Differs];
  out << "kernel agreement: " << n[Case::Kind::Agrees] << "/" << played;
  if (n[Case::Kind::CannotPlay] > 0) out << "; " << n[Case::Kind::CannotPlay] << " cannot be played";
  if (n[Case::Kind::Failed] > 0) out << "; " << n[Case::Kind::Failed] << " failed";
  if (skipped > 0) out << "; " << skipped << " of other profiles skipped";
  out << " (tolerance " << a.tolerance << ")\n";
  if (!own_dir) {
    write_fidelity_table(dir / "fidelity.md", cases, n[Case::Kind::Agrees], played, a.tolerance);
    out << "kernel traces and logs: " << dir.string() << " (table: " << (dir / "fidelity.md").string() << ")\n";
  }
  else fs::remove_all(dir, ec);
  if (invalid) return kBadInput;
  if (n[Case::Kind::Failed] > 0) return kInternalError;
  if (a.strict && n[Case::Kind::Differs] > 0) return kExpectationFailed;
  return kOk;
}

}  // namespace tcpsim::cli
