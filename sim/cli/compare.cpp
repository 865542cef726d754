#include "sim/cli/compare.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

#include "sim/cli/app.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"
#include "sim/scenario/writer.hpp"
#include "sim/trace/jsonl_read.hpp"

namespace tcpsim::cli {
namespace {

constexpr int kLifelineGap = 8;  // columns between two lifelines
constexpr int kMaxHosts = 4;     // more hosts: the side names sender and receiver in text instead
constexpr int kLabel = 38;       // room for "rtx FIN,ACK seq=1 ack=2 len=1000 lost"

// One side's ladder: its hosts as lifelines, one line per event.
class SideLadder {
 public:
  // `order`: host names to draw first, in this order (the other side's), so that the same host
  // has the same lifeline on both sides.
  SideLadder(const trace::CompareSide& side, const std::vector<std::string>& order)
      : side_(side), lines_(*side.trace, order), hosts_(lines_.names()), lifelines_(lines_.size() <= kMaxHosts) {}

  const std::vector<std::string>& hosts() const { return hosts_; }
  int width() const { return kPrefix + diagram_width() + 1 + kLabel; }

  // Host names centred on their lifelines.
  std::string header() const {
    std::string line(width(), ' ');
    if (!lifelines_) {
      const std::string text = std::to_string(hosts_.size()) + " hosts";
      return line.replace(kPrefix, text.size(), text);
    }
    for (std::size_t i = 0; i < hosts_.size(); ++i) {
      const std::string name = hosts_[i].substr(0, kLifelineGap - 1);
      const int x = kPrefix + x_of(static_cast<int>(i)) - static_cast<int>(name.size()) / 2;
      line.replace(std::clamp(x, 0, width() - static_cast<int>(name.size())), name.size(), name);
    }
    return line;
  }
  std::string blank() const { return std::string(kPrefix, ' ') + lifelines() + std::string(1 + kLabel, ' '); }

  // The event of record `record`: "  17  0.170000 |XX-    | ACK seq=2 ack=2 lost".
  std::string line(std::size_t record) const {
    const trace::Trace& t = *side_.trace;
    const trace::Record& r = t.records()[record];
    char prefix[40];
    std::snprintf(prefix, sizeof prefix, "%5llu %-10s ", static_cast<unsigned long long>(r.index),
                  sim::format_seconds(r.time).c_str());
    std::string diagram = lifelines();
    std::string label;
    if (const auto* s = std::get_if<trace::SegmentSent>(&r.body)) {
      const trace::SegmentFacts& f = *side_.facts->segment(s->id);
      const int from = lines_.column(s->node);
      const int to = lines_.target(f);
      trace::LabelOptions o;
      o.window = trace::LabelOptions::Window::Never;
      label = std::string(f.retransmission ? "rtx " : "") + trace::segment_label(f, o);
      if (f.fate == trace::Fate::Dropped) label += " lost";
      else if (f.fate == trace::Fate::InFlight) label += " in flight";
      else if (f.discard_record != trace::kNoRecord) label += " discarded";
      if (lifelines_) arrow(diagram, from, to, f.fate == trace::Fate::Dropped);
      else label = hosts_[from] + ">" + (to >= 0 ? hosts_[to] : f.seg->dst.to_string()) + " " + label;
    } else {
      const auto& st = std::get<trace::StateChanged>(r.body);
      std::string state(st.to);
      std::replace(state.begin(), state.end(), '_', '-');
      const int col = lines_.column(st.node);
      if (lifelines_) diagram[x_of(col)] = '*';
      label = t.node_name(st.node) + " " + state;
    }
    if (static_cast<int>(label.size()) > kLabel) label = label.substr(0, kLabel - 1) + "~";
    label.resize(kLabel, ' ');
    return prefix + diagram + " " + label;
  }

 private:
  static constexpr int kPrefix = 17;  // "%5llu %-10s "
  int x_of(int col) const { return col * kLifelineGap; }
  int diagram_width() const { return lifelines_ ? x_of(static_cast<int>(hosts_.size()) - 1) + 1 : 0; }
  std::string lifelines() const {
    std::string s(diagram_width(), ' ');
    for (int i = 0; lifelines_ && i < static_cast<int>(hosts_.size()); ++i) s[x_of(i)] = '|';
    return s;
  }
  // From lifeline `from` toward `to` (-1: no host owns the address: a short stub); a lost
  // segment stops half-way with XX.
  void arrow(std::string& d, int from, int to, bool lost) const {
    const int xa = x_of(from);
    int xb = to >= 0 && to != from ? x_of(to) : (from + 1 < static_cast<int>(hosts_.size()) ? xa + 4 : xa - 4);
    if (to < 0 || to == from) lost = true;  // nowhere to arrive
    const int dir = xb > xa ? 1 : -1;
    if (lost) xb = xa + dir * std::max(3, std::abs(xb - xa) / 2 + 1);
    for (int x = xa + dir; x != xb; x += dir) d[x] = '-';
    if (lost) {
      d[xb - dir] = 'X';
      d[xb - 2 * dir] = 'X';
    } else {
      d[xb - dir] = dir > 0 ? '>' : '<';
    }
  }

  const trace::CompareSide& side_;
  trace::Lifelines lines_;
  const std::vector<std::string>& hosts_;
  bool lifelines_;
};

// A side to compare: a run of a scenario, or a trace read back.
struct Source {
  std::unique_ptr<scenario::World> world;
  std::optional<trace::Trace> file;
  std::unique_ptr<trace::TraceFacts> facts;
  std::string description;  // "scenarios/x.json (seed 1, profile rfc9293)"
  const trace::Trace& trace() const { return world ? world->trace() : *file; }
};

bool is_trace_file(const std::string& path) { return path.size() > 6 && path.ends_with(".jsonl"); }

// Runs the scenario `path` (with `seed` and `profile` when set) or reads the trace `path`;
// nullopt after saying why on `err`.
std::optional<Source> open_source(const std::string& path, std::optional<std::uint64_t> seed, const std::string& profile,
                                  std::ostream& err) {
  Source s;
  if (is_trace_file(path)) {
    auto read = trace::read_jsonl_file(path);
    if (!read.trace) {
      err << "tcpsim compare: " << read.error->to_string() << "\n";
      return std::nullopt;
    }
    s.file = std::move(read.trace);
    s.description = path + " (a trace, " + std::to_string(s.file->records().size()) + " records)";
  } else {
    auto loaded = scenario::load_file(path);
    for (const auto& d : loaded.errors) err << d.to_string() << "\n";
    if (!loaded.scenario) return std::nullopt;
    scenario::Scenario sc = std::move(*loaded.scenario);
    if (!profile.empty()) {
      std::string why;
      auto edited = scenario::with_tcp(sc, profile == "linux" ? scenario::Profile::Linux : scenario::Profile::Rfc9293, {}, &why);
      if (!edited) {
        err << "tcpsim compare: --profile-b: " << why << "\n";
        return std::nullopt;
      }
      sc = std::move(*edited);
    }
    scenario::RunOptions opts;
    opts.seed = seed;
    const std::string profile_name = scenario::to_string(sc.profile);
    s.world = std::make_unique<scenario::World>(std::move(sc), opts);
    s.world->run();
    if (const auto& hit = s.world->bound_hit()) {
      err << "tcpsim compare: " << path << ": " << hit->what() << "; " << hit->how_to_raise(true) << "\n";
      return std::nullopt;
    }
    s.description = path + " (seed " + std::to_string(s.world->seed()) + ", profile " + profile_name + ")";
  }
  s.facts = std::make_unique<trace::TraceFacts>(s.trace());
  return s;
}

// What the sides are called in the ladders and the summary: by what tells them apart (profile,
// seed, file name), "A" and "B" when nothing short does.
std::pair<std::string, std::string> side_names(const CompareArgs& args, const Source& a, const Source& b) {
  auto stem = [](const std::string& path) {
    const auto slash = path.find_last_of('/');
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    return name.substr(0, name.find_last_of('.'));
  };
  std::string na, nb;
  if (a.world && b.world) {
    auto add = [](std::string& n, const std::string& part) { n += (n.empty() ? "" : " ") + part; };
    if (a.world->seed() != b.world->seed()) {
      add(na, "seed " + std::to_string(a.world->seed()));
      add(nb, "seed " + std::to_string(b.world->seed()));
    }
    if (a.world->scenario().profile != b.world->scenario().profile) {
      add(na, scenario::to_string(a.world->scenario().profile));
      add(nb, scenario::to_string(b.world->scenario().profile));
    }
  }
  if (na.empty() && !args.b.empty() && stem(args.a) != stem(args.b)) {
    na = stem(args.a) + (is_trace_file(args.a) ? ".jsonl" : "");
    nb = stem(args.b) + (is_trace_file(args.b) ? ".jsonl" : "");
  }
  if (na.empty() || na == nb) return {"A", "B"};
  return {na, nb};
}

}  // namespace

void print_comparison(std::ostream& out, const trace::Comparison& c) {
  const SideLadder a(c.a(), {});
  const SideLadder b(c.b(), a.hosts());
  const std::string gap = " || ";
  auto trim = [](std::string s) {
    s.erase(s.find_last_not_of(' ') + 1);
    return s;
  };
  std::string title_a = c.a().name;
  title_a.resize(a.width(), ' ');
  out << trim("  " + title_a + gap + c.b().name) << "\n";
  out << trim("  " + a.header() + gap + b.header()) << "\n";
  for (const trace::CompareRow& r : c.rows()) {
    const char* mark = r.kind == trace::RowKind::Same      ? "  "
                       : r.kind == trace::RowKind::Differs ? "! "
                       : r.kind == trace::RowKind::OnlyA   ? "< "
                                                           : "> ";
    const std::string left = r.a != trace::kNoRecord ? a.line(r.a) : a.blank();
    const std::string right = r.b != trace::kNoRecord ? b.line(r.b) : b.blank();
    out << trim(mark + left + gap + right) << "\n";
    if (r.kind == trace::RowKind::Differs) out << "    ^ " << c.difference_text(r) << "\n";
  }
  out << "\nlegend: ! differs (how: the line below it), < only in " << c.a().name << ", > only in " << c.b().name
      << "; * a state change on that lifeline, XX a lost segment\n";
  out << c.summary() << "\n";
}

int cmd_compare(const CompareArgs& args, std::ostream& out, std::ostream& err) {
  const bool b_from_a = args.b.empty();
  if (b_from_a && !args.seed_b && args.profile_b.empty()) {
    err << "tcpsim compare: give B (a scenario or a .jsonl trace), or --seed-b / --profile-b to run A's scenario again\n";
    return kBadInput;
  }
  const std::string b_path = b_from_a ? args.a : args.b;
  if ((args.seed_b || !args.profile_b.empty()) && is_trace_file(b_path)) {
    err << "tcpsim compare: --seed-b and --profile-b run a scenario again; " << b_path << " is a trace\n";
    return kBadInput;
  }
  trace::CompareOptions options;
  if (!args.tolerance.empty()) {
    try {
      options.tolerance = sim::parse_duration(args.tolerance);
    } catch (const sim::DurationError& e) {
      err << "tcpsim compare: --tolerance: " << e.what() << "\n";
      return kBadInput;
    }
  }
  const auto a = open_source(args.a, std::nullopt, "", err);
  if (!a) return kBadInput;
  const auto b = open_source(b_path, args.seed_b, args.profile_b, err);
  if (!b) return kBadInput;

  const auto [name_a, name_b] = side_names(args, *a, *b);
  out << name_a << ": " << a->description << "\n" << name_b << ": " << b->description << "\n\n";
  const trace::Comparison c({&a->trace(), a->facts.get(), name_a}, {&b->trace(), b->facts.get(), name_b}, options);
  print_comparison(out, c);
  return c.equal() ? kOk : kExpectationFailed;
}

}  // namespace tcpsim::cli
