#include "sim/cli/diff.hpp"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/cli/app.hpp"
#include "sim/cli/compare.hpp"
#include "sim/trace/origin.hpp"

namespace tcpsim::cli {
namespace {

constexpr const char* kCommand = "tcpsim diff";

// "times within 35ms, windows and PSH not compared"
std::string settings_text(const trace::CompareOptions& o) {
  const std::string times =
      o.tolerance == sim::Duration::zero() ? "exact times" : "times within " + sim::format_duration(o.tolerance);
  if (o.psh) return times + (o.windows ? ", windows compared" : ", windows not compared");
  return times + (o.windows ? ", windows compared, PSH not compared" : ", windows and PSH not compared");
}

// Labels padded to one width, so that what follows them lines up: "kernel: ", "model:  ".
class Labels {
 public:
  explicit Labels(std::initializer_list<std::string> names) {
    for (const auto& n : names) width_ = std::max(width_, n.size());
  }
  std::string operator()(const std::string& name) const { return name + ":" + std::string(width_ - name.size() + 1, ' '); }

 private:
  std::size_t width_ = 0;
};

// When and where a side's event of `row` is: "  [t=0.180027 s, #19]"; "" when the side has none.
std::string where(const trace::Comparison& c, const trace::CompareRow& row, bool side_a) {
  const std::size_t record = side_a ? row.a : row.b;
  if (record == trace::kNoRecord) return "";
  const trace::Record& r = (side_a ? c.a() : c.b()).trace->records()[record];
  return "  [t=" + sim::format_seconds(r.time) + " s, #" + std::to_string(r.index) + "]";
}

// The first row that is not the same: what each side did there and how they differ, then the
// `context` rows before it and the row itself as the ladders show them.
void print_divergence(std::ostream& out, const trace::Comparison& c, std::size_t context) {
  const std::size_t first = c.first_difference();
  const trace::CompareRow& row = c.rows()[first];
  const Labels label{c.a().name, c.b().name, "how"};
  out << "FIRST DIVERGENCE at row " << first + 1 << " of " << c.rows().size() << "\n";
  out << "  " << label(c.a().name) << c.side_text(row, true) << where(c, row, true) << "\n";
  out << "  " << label(c.b().name) << c.side_text(row, false) << where(c, row, false) << "\n";
  out << "  " << label("how") << c.difference_text(row) << "\n\n";
  const std::size_t before = std::min(first, context);
  if (before > 0) out << "the " << (before == 1 ? "row" : std::to_string(before) + " rows") << " before it, and the row:\n";
  print_ladder_rows(out, c, first - before, first + 1);
}

std::string join(const std::vector<std::string>& states) {
  std::string s;
  for (const auto& state : states) s += (s.empty() ? "" : " ") + state;
  return s;
}

// Whether an endpoint's two paths agree: "same", "differs at the 4th state", "only in kernel".
std::string path_verdict(const trace::Comparison& c, const trace::StatePath* a, const trace::StatePath* b) {
  if (a == nullptr) return "only in " + c.b().name;
  if (b == nullptr) return "only in " + c.a().name;
  const auto [ia, ib] = std::mismatch(a->states.begin(), a->states.end(), b->states.begin(), b->states.end());
  if (ia == a->states.end() && ib == b->states.end()) return "same";
  return "differs at the " + trace::ordinal(static_cast<std::size_t>(ia - a->states.begin()) + 1) + " state";
}

// Each endpoint (host and local address) with its state path on both sides: A's endpoints in
// the order they first change state, then those only B has.
void print_state_paths(std::ostream& out, const trace::Comparison& c) {
  const std::vector<trace::StatePath> pa = trace::state_paths(*c.a().trace);
  const std::vector<trace::StatePath> pb = trace::state_paths(*c.b().trace);
  auto find = [](const std::vector<trace::StatePath>& in, const trace::StatePath& p) -> const trace::StatePath* {
    const auto it = std::find_if(in.begin(), in.end(), [&p](const trace::StatePath& q) {
      return q.host == p.host && q.address == p.address;
    });
    return it == in.end() ? nullptr : &*it;
  };
  std::vector<std::pair<const trace::StatePath*, const trace::StatePath*>> endpoints;
  for (const auto& p : pa) endpoints.emplace_back(&p, find(pb, p));
  for (const auto& p : pb)
    if (find(pa, p) == nullptr) endpoints.emplace_back(nullptr, &p);

  const Labels label{c.a().name, c.b().name};
  out << "STATE PATHS per endpoint (host and address)\n";
  if (endpoints.empty()) out << "  no state changes on either side\n";
  for (const auto& [a, b] : endpoints) {
    const trace::StatePath& any = a != nullptr ? *a : *b;
    out << "  " << any.host << " " << any.address.to_string() << ": " << path_verdict(c, a, b) << "\n";
    out << "    " << label(c.a().name) << (a != nullptr ? join(a->states) : "(no state changes)") << "\n";
    out << "    " << label(c.b().name) << (b != nullptr ? join(b->states) : "(no state changes)") << "\n";
  }
}

}  // namespace

int cmd_diff(const DiffArgs& args, std::ostream& out, std::ostream& err) {
  for (const std::string* path : {&args.a, &args.b})
    if (!path->ends_with(".json") && !path->ends_with(".jsonl")) {
      err << kCommand << ": " << *path << ": expected a trace (.jsonl) or a scenario (.json)\n";
      return kBadInput;
    }
  trace::CompareOptions options;
  const std::optional<sim::Duration> tolerance = parse_tolerance(kCommand, args.tolerance, err);
  if (!tolerance) return kBadInput;
  options.tolerance = *tolerance;
  options.windows = args.windows;
  const auto sides = open_sides(kCommand, args.a, args.b, std::nullopt, "", err, options.tolerance);
  if (!sides) return kBadInput;
  const SideInput* a = &sides->first;
  const SideInput* b = &sides->second;

  // A kernel's trace cannot say which segments its TCP threw away on arrival: against one, a
  // discarded segment counts as delivered.
  options.discards = !trace::from_kernel(a->trace()) && !trace::from_kernel(b->trace());
  options.psh = options.discards;  // a kernel's PSH follows its buffer sizes (CompareOptions::psh)
  const auto [name_a, name_b] = side_names(args.a, args.b, *a, *b);
  out << a->header(name_a, true) << "\n" << b->header(name_b, true) << "\n";
  out << "compared: the segments sent and the state changes, " << settings_text(options) << "\n\n";
  const trace::Comparison c({&a->trace(), a->facts.get(), name_a}, {&b->trace(), b->facts.get(), name_b}, options);
  const std::string summary = c.summary();
  if (c.equal()) {
    out << "VERDICT: " << summary.substr(0, summary.find('\n')) << "\n\n";
  } else {
    out << "VERDICT: the runs differ: " << c.counts_text() << "\n\n";
    print_divergence(out, c, args.context);
    out << "\n";
  }
  print_state_paths(out, c);
  out << "\nLADDERS\n";
  print_ladder_rows(out, c, 0, c.rows().size());
  out << "\n";
  print_legend(out, c);
  out << "summary: " << name_a << " and " << name_b << " "
      << (c.equal() ? "agree" : "differ from row " + std::to_string(c.first_difference() + 1)) << "; rows: "
      << c.counts_text() << "; " << settings_text(options) << "\n";
  return c.equal() ? kOk : kExpectationFailed;
}

}  // namespace tcpsim::cli
