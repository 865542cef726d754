#include "sim/cli/compare.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

#include "sim/cli/app.hpp"
#include "sim/live/run.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"
#include "sim/scenario/writer.hpp"
#include "sim/trace/jsonl_read.hpp"
#include "sim/trace/origin.hpp"

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

bool is_trace_file(const std::string& path) { return path.size() > 6 && path.ends_with(".jsonl"); }

// A file's name without its folder and extension.
std::string stem(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return name.substr(0, name.find_last_of('.'));
}

// What a side is called by its origin: the metadata's "source" ("kernel"), "model" for a run or a
// trace without metadata, "" when the metadata names no source.
std::string origin_name(const SideInput& s) {
  if (s.world || s.file->meta().empty()) return "model";
  return trace::meta_value(*s.file, "source");
}

}  // namespace

std::string SideInput::origin() const {
  if (world) return "model";
  std::string text = trace::origin_text(*file);
  // A live run's end and its relay's timing say how far to trust its times; the sysctls and the
  // rest are in the file.
  for (const char* key : {"end", "relay"})
    if (const std::string value = trace::meta_value(*file, key); !value.empty())
      text += (text.empty() ? "" : ", ") + std::string(key) + ": " + value;
  return text;
}

std::string SideInput::header(const std::string& name, bool always_origin) const {
  const std::string o = origin();
  return name + ": " + path + (always_origin || o != "model" ? ": " + o : "") + " (" + details + ")";
}

std::optional<SideInput> open_side(const std::string& command, const std::string& path,
                                   std::optional<std::uint64_t> seed, const std::string& profile, std::ostream& err,
                                   const trace::Trace* kernel, sim::Duration tolerance) {
  SideInput s;
  s.path = path;
  if (is_trace_file(path)) {
    auto read = trace::read_jsonl_file(path);
    if (!read.trace) {
      err << command << ": " << read.error->to_string() << "\n";
      return std::nullopt;
    }
    s.file = std::move(read.trace);
    s.details = "a trace, " + std::to_string(s.file->records().size()) + " records";
  } else {
    auto loaded = scenario::load_file(path);
    for (const auto& d : loaded.errors) err << d.to_string() << "\n";
    if (!loaded.scenario) return std::nullopt;
    scenario::Scenario sc = std::move(*loaded.scenario);
    if (!profile.empty()) {
      std::string why;
      auto edited = scenario::with_tcp(sc, profile == "linux" ? scenario::Profile::Linux : scenario::Profile::Rfc9293, {}, &why);
      if (!edited) {
        err << command << ": --profile-b: " << why << "\n";
        return std::nullopt;
      }
      sc = std::move(*edited);
    }
    const std::string conditions = kernel ? scenario::take_kernel_conditions(sc, *kernel) : "";
    scenario::RunOptions opts;
    opts.seed = seed;
    if (kernel) opts.until = model_until(*kernel, tolerance);
    const std::string profile_name = scenario::to_string(sc.profile);
    s.world = std::make_unique<scenario::World>(std::move(sc), opts);
    s.world->run();
    if (const auto& hit = s.world->bound_hit()) {
      err << command << ": " << path << ": " << hit->what() << "; " << hit->how_to_raise(true) << "\n";
      return std::nullopt;
    }
    s.details = "seed " + std::to_string(s.world->seed()) + ", profile " + profile_name + conditions;
  }
  s.facts = std::make_unique<trace::TraceFacts>(s.trace());
  return s;
}

std::optional<sim::Duration> model_until(const trace::Trace& kernel, sim::Duration tolerance) {
  const std::string end = trace::meta_value(kernel, "end");
  if (end.empty() || end == live::to_string(live::LiveEnd::Quiet) || kernel.records().empty()) return std::nullopt;
  return kernel.records().back().time.since_start() + tolerance;
}

std::optional<std::pair<SideInput, SideInput>> open_sides(const std::string& command, const std::string& path_a,
                                                          const std::string& path_b, std::optional<std::uint64_t> seed_b,
                                                          const std::string& profile_b, std::ostream& err,
                                                          sim::Duration tolerance) {
  const bool b_first = is_trace_file(path_b) && !is_trace_file(path_a);
  std::optional<SideInput> first = b_first ? open_side(command, path_b, seed_b, profile_b, err)
                                           : open_side(command, path_a, std::nullopt, "", err);
  if (!first) return std::nullopt;
  const trace::Trace* kernel = first->world ? nullptr : &first->trace();
  std::optional<SideInput> second = b_first ? open_side(command, path_a, std::nullopt, "", err, kernel, tolerance)
                                            : open_side(command, path_b, seed_b, profile_b, err, kernel, tolerance);
  if (!second) return std::nullopt;
  if (b_first) std::swap(first, second);
  return std::pair<SideInput, SideInput>{std::move(*first), std::move(*second)};
}

std::pair<std::string, std::string> side_names(const std::string& path_a, const std::string& path_b, const SideInput& a,
                                               const SideInput& b) {
  std::string na = origin_name(a), nb = origin_name(b);
  if (na.empty() || nb.empty() || na == nb) na = nb = "";
  if (na.empty() && a.world && b.world) {
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
  if (na.empty() && !path_b.empty() && stem(path_a) != stem(path_b)) {
    na = stem(path_a) + (is_trace_file(path_a) ? ".jsonl" : "");
    nb = stem(path_b) + (is_trace_file(path_b) ? ".jsonl" : "");
  }
  if (na.empty() || na == nb) return {"A", "B"};
  return {na, nb};
}

std::optional<sim::Duration> parse_tolerance(const std::string& command, const std::string& text, std::ostream& err) {
  if (text == "0") return sim::Duration::zero();
  try {
    return sim::parse_duration(text);
  } catch (const sim::DurationError& e) {
    err << command << ": --tolerance: " << e.what() << "\n";
    return std::nullopt;
  }
}

void print_ladder_rows(std::ostream& out, const trace::Comparison& c, std::size_t from, std::size_t to) {
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
  for (std::size_t i = from; i < std::min(to, c.rows().size()); ++i) {
    const trace::CompareRow& r = c.rows()[i];
    const char* mark = r.kind == trace::RowKind::Same      ? "  "
                       : r.kind == trace::RowKind::Differs ? "! "
                       : r.kind == trace::RowKind::OnlyA   ? "< "
                                                           : "> ";
    const std::string left = r.a != trace::kNoRecord ? a.line(r.a) : a.blank();
    const std::string right = r.b != trace::kNoRecord ? b.line(r.b) : b.blank();
    out << trim(mark + left + gap + right) << "\n";
    if (r.kind == trace::RowKind::Differs) out << "    ^ " << c.difference_text(r) << "\n";
  }
}

void print_legend(std::ostream& out, const trace::Comparison& c) {
  out << "legend: ! differs (how: the line below it), < only in " << c.a().name << ", > only in " << c.b().name
      << "; * a state change on that lifeline, XX a lost segment\n";
}

void print_comparison(std::ostream& out, const trace::Comparison& c) {
  print_ladder_rows(out, c, 0, c.rows().size());
  out << "\n";
  print_legend(out, c);
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
  const std::string command = "tcpsim compare";
  trace::CompareOptions options;
  if (!args.tolerance.empty()) {
    const auto tolerance = parse_tolerance(command, args.tolerance, err);
    if (!tolerance) return kBadInput;
    options.tolerance = *tolerance;
  }
  const auto sides = open_sides(command, args.a, b_path, args.seed_b, args.profile_b, err, options.tolerance);
  if (!sides) return kBadInput;
  const SideInput* a = &sides->first;
  const SideInput* b = &sides->second;

  const auto [name_a, name_b] = side_names(args.a, args.b, *a, *b);
  out << a->header(name_a, false) << "\n" << b->header(name_b, false) << "\n\n";
  const trace::Comparison c({&a->trace(), a->facts.get(), name_a}, {&b->trace(), b->facts.get(), name_b}, options);
  print_comparison(out, c);
  return c.equal() ? kOk : kExpectationFailed;
}

}  // namespace tcpsim::cli
