#include "sim/cli/check.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <re2/re2.h>

#include "sim/cli/app.hpp"
#include "sim/cli/ladder.hpp"
#include "sim/diagram/svg.hpp"
#include "sim/pcap/capture.hpp"
#include "sim/scenario/batch.hpp"
#include "sim/scenario/report_html.hpp"
#include "sim/scenario/world.hpp"
#include "sim/trace/output_file.hpp"

namespace tcpsim::cli {

namespace fs = std::filesystem;
using scenario::CaseResult;
using scenario::Outcome;

namespace {

// Writes a report file: kOk, kBadInput when the path cannot be opened (a usage error, like a
// missing directory), kInternalError when writing it failed (a full disk).
int write_report(const fs::path& path, const std::string& text, std::string_view option, std::ostream& err) {
  trace::OutputFile f(path);
  if (!f.open_error().empty()) {
    err << "tcpsim check: " << option << ": " << f.open_error() << "\n";
    return kBadInput;
  }
  f.stream() << text;
  if (const std::string why = f.close(); !why.empty()) {
    err << "tcpsim check: " << option << ": " << why << "\n";
    return kInternalError;
  }
  return kOk;
}

// The longest --filter accepted: ids are paths, and a pattern longer than any path is a mistake.
constexpr std::size_t kMaxFilterLength = 1000;

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

}  // namespace

int collect_inputs(const CheckArgs& a, std::vector<scenario::BatchInput>& inputs, std::ostream& err) {
  std::vector<fs::path> paths;
  for (const auto& p : a.paths) paths.emplace_back(p);
  if (paths.empty()) paths.emplace_back("scenarios");
  std::vector<std::string> missing;
  inputs = scenario::collect_scenarios(paths, missing);
  for (const auto& m : missing) err << "tcpsim check: " << m << ": no such file or directory\n";
  if (!missing.empty()) return kBadInput;
  if (!a.filter.empty()) {
    // RE2 matches in time linear in the id and needs no stack for nested groups: a filter can
    // neither hang nor crash the run, whatever it holds.
    if (a.filter.size() > kMaxFilterLength) {
      err << "tcpsim check: --filter: expected a regular expression of at most " << kMaxFilterLength
          << " characters, found one of " << a.filter.size() << "\n";
      return kBadInput;
    }
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(std::int64_t{8} << 20);
    const RE2 re(a.filter, options);
    if (!re.ok()) {
      err << "tcpsim check: --filter: invalid regular expression \"" << a.filter << "\": " << re.error() << "\n";
      return kBadInput;
    }
    std::erase_if(inputs, [&](const scenario::BatchInput& in) { return !RE2::PartialMatch(in.id, re); });
  }
  if (inputs.empty()) {
    err << "tcpsim check: no scenario files found\n";
    return kBadInput;
  }

  return kOk;
}

int cmd_check(const CheckArgs& a, std::ostream& out, std::ostream& err) {
  std::vector<scenario::BatchInput> inputs;
  if (const int code = collect_inputs(a, inputs, err); code != kOk) return code;
  if (!a.out_dir.empty()) {
    std::error_code ec;
    fs::create_directories(a.out_dir, ec);
    if (ec || !fs::is_directory(a.out_dir)) {
      err << "tcpsim check: --out: cannot create the directory \"" << a.out_dir << "\"" << (ec ? ": " + ec.message() : "")
          << "\n";
      return kBadInput;
    }
  }

  scenario::BatchOptions opt;
  if (!parse_limit_flags(a.limits, "tcpsim check", opt.limits, err)) return kBadInput;
  opt.jobs = a.jobs != 0 ? a.jobs : std::max(1u, std::thread::hardware_concurrency());
  opt.out_dir = a.out_dir;
  opt.bless = a.bless;
  opt.write_capture = [](const trace::Trace& t, const fs::path& file) {
    std::string why;
    return pcap::write_capture(file.string(), t, {}, &why) ? std::string() : why;
  };
  opt.write_diagram = [](const trace::Trace& t, const std::string& title, const fs::path& file) {
    // A sequence diagram of a load test (churn-1000 has 1001 hosts) would be hundreds of MB and
    // unreadable: above kMaxDiagramNodes nodes none is drawn (index.html then shows none).
    constexpr std::size_t kMaxDiagramNodes = 32;
    if (t.node_count() > kMaxDiagramNodes) return std::string();
    trace::OutputFile svg(file);
    if (svg.open_error().empty()) diagram::write_svg(svg.stream(), diagram::build_layout(t, diagram::Options{}, {title, {}}));
    return svg.close();
  };
  const auto ladder = [](const scenario::World& w) {
    std::ostringstream s;
    LadderOptions lo;
    print_ladder(s, w.trace(), w.network(), lo);
    return s.str();
  };
  std::size_t width = 0;
  for (const auto& in : inputs) width = std::max(width, in.id.size());
  const auto start = std::chrono::steady_clock::now();
  const auto results = scenario::run_batch(inputs, opt, ladder, [&](const CaseResult& r) {
    if (a.quiet && r.outcome == Outcome::Pass) return;
    std::string line = std::string(to_string(r.outcome)) + std::string(8 - std::string(to_string(r.outcome)).size(), ' ') +
                       r.id + std::string(width - r.id.size() + 2, ' ') + seconds(r.wall_seconds);
    if (r.outcome == Outcome::Pass || r.outcome == Outcome::Fail) {
      line += "  " + std::to_string(r.verdict.checked) + " expectations";
      if (r.verdict.checked == 0) line += " (none!)";
    }
    if (r.blessed) line += "  fingerprint written";
    out << line << "\n";
    for (const auto& l : r.failure_lines()) out << "        " << l << "\n";
  });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::size_t pass = 0, fail = 0, invalid = 0, limited = 0, internal = 0;
  bool wrote = true;
  for (const auto& r : results) {
    wrote = wrote && !r.write_failed;
    pass += r.outcome == Outcome::Pass;
    fail += r.outcome == Outcome::Fail || r.outcome == Outcome::Error;
    invalid += r.outcome == Outcome::Invalid;
    limited += r.outcome == Outcome::Limit;
    internal += r.internal_error;
  }
  // The ladder of each failure, after the list, so the list stays readable.
  for (const auto& r : results)
    if (!r.ladder.empty() && !a.quiet) out << "\n--- ladder of " << r.id << " ---\n" << r.ladder;
  out << "\n" << results.size() << " scenarios: " << pass << " passed, " << fail << " failed, " << invalid
      << " invalid";
  if (limited > 0) out << ", " << limited << " stopped at a bound";
  out << " (" << seconds(wall) << ", " << opt.jobs << " jobs)\n";

  // The worst report failure decides: a failed write (3) over a path that cannot be opened (2).
  int report = wrote ? kOk : kInternalError;
  if (!a.junit.empty()) report = std::max(report, write_report(a.junit, scenario::junit_xml(results), "--junit", err));
  if (!a.out_dir.empty()) {
    const fs::path dir(a.out_dir);
    report = std::max(report, write_report(dir / "summary.json", scenario::summary_json(results), "--out", err));
    report = std::max(report, write_report(dir / "index.html", scenario::index_html(results, a.out_dir), "--out", err));
  }
  if (internal > 0) return kInternalError;
  if (report != kOk) return report;
  if (invalid > 0 || limited > 0) return kBadInput;
  return fail > 0 ? kExpectationFailed : kOk;
}

}  // namespace tcpsim::cli
