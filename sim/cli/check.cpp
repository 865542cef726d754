#include "sim/cli/check.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "sim/cli/app.hpp"
#include "sim/cli/ladder.hpp"
#include "sim/diagram/svg.hpp"
#include "sim/pcap/capture.hpp"
#include "sim/scenario/batch.hpp"
#include "sim/scenario/world.hpp"

namespace tcpsim::cli {

namespace fs = std::filesystem;
using scenario::CaseResult;
using scenario::Outcome;

namespace {

bool write_file(const fs::path& path, const std::string& text, std::ostream& err) {
  if (path.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  if (!f) err << "tcpsim check: cannot write " << path.string() << "\n";
  return static_cast<bool>(f);
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

}  // namespace

int cmd_check(const CheckArgs& a, std::ostream& out, std::ostream& err) {
  std::vector<fs::path> paths;
  for (const auto& p : a.paths) paths.emplace_back(p);
  if (paths.empty()) paths.emplace_back("scenarios");
  std::vector<std::string> missing;
  std::vector<scenario::BatchInput> inputs = scenario::collect_scenarios(paths, missing);
  for (const auto& m : missing) err << "tcpsim check: " << m << ": no such file or directory\n";
  if (!missing.empty()) return kBadInput;
  if (!a.filter.empty()) {
    std::regex re;
    try {
      re = std::regex(a.filter);
    } catch (const std::regex_error& e) {
      err << "tcpsim check: --filter: invalid regular expression \"" << a.filter << "\": " << e.what() << "\n";
      return kBadInput;
    }
    std::erase_if(inputs, [&](const scenario::BatchInput& in) { return !std::regex_search(in.id, re); });
  }
  if (inputs.empty()) {
    err << "tcpsim check: no scenario files found\n";
    return kBadInput;
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
    std::ofstream svg(file, std::ios::binary | std::ios::trunc);
    diagram::write_svg(svg, diagram::build_layout(t, diagram::Options{}, {title, {}}));
    return svg.good() ? std::string() : "cannot write " + file.string();
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
  for (const auto& r : results) {
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

  bool wrote = true;
  if (!a.junit.empty()) wrote = write_file(a.junit, scenario::junit_xml(results), err) && wrote;
  if (!a.out_dir.empty()) {
    wrote = write_file(fs::path(a.out_dir) / "summary.json", scenario::summary_json(results), err) && wrote;
    wrote = write_file(fs::path(a.out_dir) / "index.html", scenario::index_html(results, a.out_dir), err) && wrote;
  }
  if (internal > 0) return kInternalError;
  if (!wrote) return kBadInput;
  if (invalid > 0 || limited > 0) return kBadInput;
  return fail > 0 ? kExpectationFailed : kOk;
}

}  // namespace tcpsim::cli
