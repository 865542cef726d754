// The loader's building blocks: error collection, typed value readers, object field access and
// node name resolution. Each reader either returns a value or records one error that says what
// was expected and what was found.

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include "sim/scenario/loader_detail.hpp"

namespace tcpsim::scenario::detail {
namespace {

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

char fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Edit distance ignoring ASCII case. Words of up to 64 characters (all that suggest() compares)
// need no allocation.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::array<std::size_t, 66> small{};
  std::vector<std::size_t> large;
  std::size_t* row = small.data();
  if (b.size() + 1 > small.size()) {
    large.resize(b.size() + 1);
    row = large.data();
  }
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string parent_pointer(const std::string& pointer) {
  const std::size_t slash = pointer.rfind('/');
  return slash == std::string::npos ? std::string() : pointer.substr(0, slash);
}

std::string range_text(std::uint64_t lo, std::uint64_t hi) {
  return "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "10 parsecs", "5 sec": a number followed by letters that are not a duration unit. parse_duration
// would complain about the space first; the unknown unit is the more useful thing to say.
std::optional<std::string> unknown_duration_unit(std::string_view text) {
  std::size_t i = 0;
  bool digit = false;
  for (; i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.'); ++i)
    if (text[i] != '.') digit = true;
  if (!digit) return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  const std::string_view unit = text.substr(i);
  if (unit.empty() || !std::all_of(unit.begin(), unit.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }))
    return std::nullopt;
  static const Names kUnits{"ns", "us", "ms", "s", "min", "h"};
  if (std::find(kUnits.begin(), kUnits.end(), unit) != kUnits.end()) return std::nullopt;
  std::string msg = "unknown unit " + quote(unit) + "; the units are ns, us, ms, s, min and h";
  if (const std::string s = suggest(unit, kUnits); !s.empty()) msg += "; " + s;
  return msg;
}

}  // namespace

// ---- Errors ----------------------------------------------------------------------------------

void Errors::add(const std::string& pointer, At at, std::string message) {
  std::optional<std::size_t> offset;
  if (index_ != nullptr) {
    if (at == At::Key) offset = index_->key_offset(pointer);
    if (at == At::Object) offset = index_->value_offset(parent_pointer(pointer));
    if (!offset) offset = index_->value_offset(pointer);
  }
  add_at(offset.value_or(kNoOffset), pointer, std::move(message));
}

void Errors::add_at(std::size_t offset, std::string pointer, std::string message) {
  Pending p{offset, total_++, std::move(pointer), std::move(message)};
  auto earlier = [](const Pending& a, const Pending& b) {
    return a.offset != b.offset ? (a.offset == kNoOffset || (b.offset != kNoOffset && a.offset < b.offset)) : a.seq < b.seq;
  };
  if (kept_.size() < kMaxErrors) {
    kept_.push_back(std::move(p));
    return;
  }
  auto latest = std::max_element(kept_.begin(), kept_.end(), earlier);
  if (earlier(p, *latest)) *latest = std::move(p);
}

std::string Errors::where_offset(std::size_t offset) const {
  if (index_ == nullptr || offset == kNoOffset) return "";
  const SourcePosition pos = index_->position(offset);
  return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column);
}

std::string Errors::where(const std::string& pointer) const {
  if (index_ == nullptr) return "";
  return where_offset(index_->value_offset(pointer).value_or(kNoOffset));
}

std::vector<Diagnostic> Errors::finish() const {
  std::vector<Pending> sorted = kept_;
  std::sort(sorted.begin(), sorted.end(), [](const Pending& a, const Pending& b) {
    const std::size_t ao = a.offset == kNoOffset ? 0 : a.offset + 1;
    const std::size_t bo = b.offset == kNoOffset ? 0 : b.offset + 1;
    return ao != bo ? ao < bo : a.seq < b.seq;
  });
  std::vector<Diagnostic> out;
  for (const Pending& p : sorted) {
    Diagnostic d{file_, 0, 0, p.pointer, p.message};
    if (index_ != nullptr && p.offset != kNoOffset) {
      const SourcePosition pos = index_->position(p.offset);
      d.line = pos.line;
      d.column = pos.column;
    }
    out.push_back(std::move(d));
  }
  if (total_ > sorted.size()) {
    const std::size_t more = total_ - sorted.size();
    out.push_back({"", 0, 0, "", "... and " + std::to_string(more) + (more == 1 ? " more error" : " more errors")});
  }
  return out;
}

// ---- text helpers ----------------------------------------------------------------------------

std::string suggest(std::string_view word, const Names& candidates) {
  if (word.size() > 64) return "";
  const std::string_view w = word;
  std::string_view best;
  std::size_t best_distance = 3;
  for (std::string_view c : candidates) {
    // The distance is at least the difference in length: skip what cannot beat the best.
    if ((w.size() > c.size() ? w.size() - c.size() : c.size() - w.size()) >= best_distance) continue;
    const std::size_t d = edit_distance(w, c);
    if (d < best_distance && (d == 0 || d < c.size())) {
      best = c;
      best_distance = d;
    }
  }
  return best.empty() ? "" : "did you mean " + quote(best) + "?";
}

std::string quoted_list(const Names& names, std::string_view last_separator) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? std::string(last_separator) : ", ";
    out += quote(names[i]);
  }
  return out;
}

std::string elements(std::size_t n) {
  return n == 0 ? "an empty array" : "an array of " + std::to_string(n) + (n == 1 ? " element" : " elements");
}

std::string quote(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::string cut(s.substr(0, kMax));
  while (!cut.empty() && cut.size() < s.size() && (static_cast<unsigned char>(s[cut.size()]) & 0xC0) == 0x80)
    cut.pop_back();  // do not split a UTF-8 character
  std::string out = Json(cut).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (cut.size() < s.size()) out.insert(out.size() - 1, "...");
  return out;
}

std::string ip_problem(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    parts.push_back(text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 4)
    return "it has " + std::to_string(parts.size()) + (parts.size() == 1 ? " part" : " parts") + "; an address has 4";
  for (std::string_view p : parts) {
    if (p.empty()) return "an octet is empty";
    if (!all_digits(p)) return "octet " + quote(p) + " is not a decimal number";
    if (p.size() > 1 && p[0] == '0') return "octet " + quote(p) + " has a leading zero";
    if (p.size() > 3 || std::stoi(std::string(p)) > 255) return "octet " + std::string(p) + " is greater than 255";
  }
  return "it is not a dotted quad";
}

// ---- Reader ----------------------------------------------------------------------------------

std::string Reader::number_text(const Json& v, const std::string& pointer) const {
  if (const JsonIndex* index = errors_.index(); index != nullptr && v.is_number()) {
    const std::string_view raw = index->value_text(pointer);
    if (!raw.empty()) return std::string(raw);
  }
  return v.dump();
}

std::string Reader::found(const Json& v, const std::string& pointer) const {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return v.get<bool>() ? "boolean true" : "boolean false";
    case Json::value_t::string: return "string " + quote(v.get_ref<const std::string&>());
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "number " + number_text(v, pointer);
    default: return "a value";
  }
}

std::optional<std::string> Reader::string(const Json& v, const std::string& pointer) {
  if (v.is_string()) return v.get<std::string>();
  error(pointer, "expected a string, found " + found(v, pointer));
  return std::nullopt;
}

std::optional<std::string> Reader::non_empty_string(const Json& v, const std::string& pointer) {
  if (v.is_string() && !v.get_ref<const std::string&>().empty()) return v.get<std::string>();
  error(pointer, "expected a non-empty string, found " + (v.is_string() ? std::string("an empty string") : found(v, pointer)));
  return std::nullopt;
}

std::optional<sim::Duration> Reader::duration(const Json& v, const std::string& pointer, const DurationRule& rule) {
  if (v.is_number()) {
    error(pointer, "expected a duration string with a unit like \"10ms\", found " + found(v, pointer));
    return std::nullopt;
  }
  if (!v.is_string()) {
    error(pointer, "expected a duration string like \"10ms\", found " + found(v, pointer));
    return std::nullopt;
  }
  const std::string& text = v.get_ref<const std::string&>();
  if (const auto problem = unknown_duration_unit(text)) {
    error(pointer, "invalid duration " + quote(text) + ": " + *problem);
    return std::nullopt;
  }
  sim::Duration d;
  try {
    d = sim::parse_duration(text);
  } catch (const sim::DurationError& e) {
    error(pointer, e.what());
    return std::nullopt;
  }
  if (rule.positive && d == sim::Duration::zero()) {
    error(pointer, "expected a duration greater than 0, found " + quote(text));
    return std::nullopt;
  }
  if (d > rule.max) {
    error(pointer, "expected a duration of at most " + std::string(rule.max_text) + ", found " + quote(text));
    return std::nullopt;
  }
  return d;
}

std::optional<std::uint64_t> Reader::integer(const Json& v, const std::string& pointer, std::uint64_t lo,
                                             std::uint64_t hi) {
  const std::string expected = "expected an integer in " + range_text(lo, hi) + ", found ";
  if (v.is_number_unsigned()) {
    const auto n = v.get<std::uint64_t>();
    if (n >= lo && n <= hi) return n;
    error(pointer, expected + number_text(v, pointer));
  } else if (v.is_number_integer()) {  // negative
    error(pointer, expected + number_text(v, pointer));
  } else if (v.is_number_float()) {
    const std::string raw = number_text(v, pointer);
    const double d = v.get<double>();
    // The range test comes first: converting a double outside int64's range (or NaN) is
    // undefined behaviour.
    const bool whole = d > -9e18 && d < 9e18 && d == static_cast<double>(static_cast<std::int64_t>(d));
    const bool written_as_integer = all_digits(raw) || (raw.size() > 1 && raw[0] == '-' && all_digits(raw.substr(1)));
    if (whole && !written_as_integer)
      error(pointer, expected + raw + " (write integers without a decimal point or exponent)");
    else
      error(pointer, expected + raw);  // a fraction, or an integer too large for 64 bits
  } else if (v.is_string() && all_digits(v.get_ref<const std::string&>())) {
    error(pointer, expected + found(v, pointer) + "; write the number without quotes");
  } else {
    error(pointer, expected + found(v, pointer));
  }
  return std::nullopt;
}

std::optional<double> Reader::probability(const Json& v, const std::string& pointer) {
  if (v.is_number()) {
    const double p = v.get<double>();
    if (p >= 0.0 && p <= 1.0) return p;
    error(pointer, "expected a probability in [0, 1], found " + number_text(v, pointer));
  } else {
    error(pointer, "expected a probability in [0, 1], found " + found(v, pointer));
  }
  return std::nullopt;
}

std::optional<bool> Reader::boolean(const Json& v, const std::string& pointer) {
  if (v.is_boolean()) return v.get<bool>();
  error(pointer, "expected true or false, found " + found(v, pointer));
  return std::nullopt;
}

std::optional<net::Ipv4> Reader::ip(const Json& v, const std::string& pointer) {
  constexpr std::string_view kExpected = "expected an IPv4 address like \"10.0.0.1\", found ";
  if (!v.is_string()) {
    error(pointer, std::string(kExpected) + found(v, pointer));
    return std::nullopt;
  }
  const std::string& text = v.get_ref<const std::string&>();
  if (auto ip = net::Ipv4::parse(text)) return ip;
  error(pointer, std::string(kExpected) + quote(text) + ": " + ip_problem(text));
  return std::nullopt;
}

std::optional<net::Flags> Reader::flags(const Json& v, const std::string& pointer) {
  if (!v.is_string()) {
    error(pointer, "expected a list of flags like \"SYN,ACK\", found " + found(v, pointer));
    return std::nullopt;
  }
  const std::string& text = v.get_ref<const std::string&>();
  std::string bad;
  if (auto f = net::Flags::parse(text, &bad)) return f;
  bad.erase(0, bad.find_first_not_of(' '));
  bad.erase(bad.find_last_not_of(' ') + 1);
  std::string msg = "unknown flag " + quote(bad) + " in " + quote(text) + "; valid flags are " + net::Flags::kNames;
  static const Names kFlagNames{"SYN", "ACK", "FIN", "RST", "PSH", "URG", "ECE", "CWR"};
  if (const std::string s = suggest(bad, kFlagNames); !s.empty()) msg += "; " + s;
  error(pointer, msg);
  return std::nullopt;
}

std::optional<std::uint64_t> Reader::bandwidth(const Json& v, const std::string& pointer) {
  if (v.is_number()) {
    error(pointer, "expected a bandwidth string with a unit like \"10Mbps\", found " + found(v, pointer));
    return std::nullopt;
  }
  if (!v.is_string()) {
    error(pointer, "expected a bandwidth string like \"10Mbps\", found " + found(v, pointer));
    return std::nullopt;
  }
  const std::string& text = v.get_ref<const std::string&>();
  const std::string head = "invalid bandwidth " + quote(text) + ": ";
  constexpr std::string_view kForm = "expected a positive number followed by bps, kbps, Mbps or Gbps, e.g. \"1.5Mbps\"";
  std::size_t i = 0;
  std::uint64_t whole = 0;
  bool digits = false, overflow = false;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    digits = true;
    const auto d = static_cast<std::uint64_t>(text[i] - '0');
    if (whole > (kU64Max - d) / 10) overflow = true;
    else whole = whole * 10 + d;
  }
  std::string_view frac;
  if (i < text.size() && text[i] == '.') {
    const std::size_t start = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    frac = std::string_view(text).substr(start, i - start);
    digits = digits || !frac.empty();
  }
  if (!digits) {
    error(pointer, head + std::string(kForm));
    return std::nullopt;
  }
  const std::string_view unit = std::string_view(text).substr(i);
  static const Names kUnits{"bps", "kbps", "Mbps", "Gbps"};
  static constexpr std::uint64_t kScale[] = {1, 1'000, 1'000'000, 1'000'000'000};
  const auto u = std::find(kUnits.begin(), kUnits.end(), unit);
  if (u == kUnits.end()) {
    std::string why;
    if (unit.empty()) why = "the unit is missing; " + std::string(kForm);
    else if (unit.front() == ' ') why = "no space is allowed between the number and the unit";
    else why = "unknown unit " + quote(unit) + "; " + std::string(kForm);
    if (const std::string s = suggest(unit, kUnits); !s.empty() && !unit.empty() && unit.front() != ' ') why += "; " + s;
    error(pointer, head + why);
    return std::nullopt;
  }
  const std::uint64_t scale = kScale[u - kUnits.begin()];
  if (overflow || whole > kU64Max / scale) {
    error(pointer, head + "too large");
    return std::nullopt;
  }
  std::uint64_t bps = whole * scale;
  std::uint64_t place = scale;
  for (char c : frac) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (place < 10) {
      if (d != 0) {
        error(pointer, head + "more precise than 1 bps");
        return std::nullopt;
      }
      continue;
    }
    place /= 10;
    bps += d * place;
  }
  if (bps == 0) {
    error(pointer, "expected a bandwidth greater than 0, found " + quote(text));
    return std::nullopt;
  }
  return bps;
}

std::optional<std::string> Reader::choice(const Json& v, const std::string& pointer, const Names& choices,
                                          std::string_view what) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (std::find(choices.begin(), choices.end(), s) != choices.end()) return s;
    std::string msg = "unknown " + std::string(what) + " " + quote(s) + "; expected " + quoted_list(choices);
    if (const std::string hint = suggest(s, choices); !hint.empty()) msg += "; " + hint;
    error(pointer, msg);
  } else {
    error(pointer, "expected " + quoted_list(choices) + ", found " + found(v, pointer));
  }
  return std::nullopt;
}

const Json* Reader::array(const Json& v, const std::string& pointer, std::string_view of_what) {
  if (v.is_array()) return &v;
  error(pointer, "expected an array of " + std::string(of_what) + ", found " + found(v, pointer));
  return nullptr;
}

// ---- Object ----------------------------------------------------------------------------------

Object::Object(Reader& reader, const Json& value, std::string pointer, const Names& fields, std::string_view what)
    : reader_(reader), pointer_(std::move(pointer)) {
  if (!value.is_object()) {
    reader_.error(pointer_, "expected " + std::string(what) + ", found " + reader_.found(value, pointer_));
    return;
  }
  json_ = &value;
  std::string expected;  // the list of fields, written once for all unknown fields
  auto unknown = [&](const std::string& key, std::size_t offset) {
    std::string msg = "unknown field " + quote(key);
    if (const std::string s = suggest(key, fields); !s.empty()) {
      msg += "; " + s;
    } else {
      if (expected.empty()) expected = "; expected " + (fields.empty() ? std::string("no fields") : quoted_list(fields));
      msg += expected;
    }
    reader_.errors().add_at(offset, ptr(key), std::move(msg));
  };
  const JsonIndex* index = reader_.errors().index();
  if (index != nullptr && index->value_offset(pointer_)) {
    for (const JsonIndex::Member& m : index->members(pointer_))
      if (std::find(fields.begin(), fields.end(), m.key) == fields.end()) unknown(m.key, m.key_offset);
  } else {
    for (const auto& [key, v] : value.items())
      if (std::find(fields.begin(), fields.end(), key) == fields.end()) unknown(key, kNoOffset);
  }
}

const Json* Object::get(std::string_view key) const {
  if (json_ == nullptr) return nullptr;
  const auto it = json_->find(key);
  return it == json_->end() ? nullptr : &*it;
}

const Json* Object::require(std::string_view key, std::string_view what) {
  if (json_ == nullptr) return nullptr;
  if (const Json* v = get(key)) return v;
  reader_.errors().add(ptr(key), At::Object, "missing required field " + quote(key) + " (" + std::string(what) + ")");
  return nullptr;
}

std::optional<std::string> Object::string(std::string_view key) {
  const Json* v = get(key);
  return v ? reader_.string(*v, ptr(key)) : std::nullopt;
}
std::optional<sim::Duration> Object::duration(std::string_view key, const DurationRule& rule) {
  const Json* v = get(key);
  return v ? reader_.duration(*v, ptr(key), rule) : std::nullopt;
}
std::optional<std::uint64_t> Object::integer(std::string_view key, std::uint64_t lo, std::uint64_t hi) {
  const Json* v = get(key);
  return v ? reader_.integer(*v, ptr(key), lo, hi) : std::nullopt;
}
std::optional<double> Object::probability(std::string_view key) {
  const Json* v = get(key);
  return v ? reader_.probability(*v, ptr(key)) : std::nullopt;
}
std::optional<bool> Object::boolean(std::string_view key) {
  const Json* v = get(key);
  return v ? reader_.boolean(*v, ptr(key)) : std::nullopt;
}
std::optional<net::Ipv4> Object::ip(std::string_view key) {
  const Json* v = get(key);
  return v ? reader_.ip(*v, ptr(key)) : std::nullopt;
}
std::optional<net::Flags> Object::flags(std::string_view key) {
  const Json* v = get(key);
  return v ? reader_.flags(*v, ptr(key)) : std::nullopt;
}

// ---- NodeTable -------------------------------------------------------------------------------

const net::NodeConfig* NodeTable::find(std::string_view name) const {
  const auto it = by_name.find(name);
  return it == by_name.end() || nodes == nullptr ? nullptr : &(*nodes)[it->second.index];
}

std::string NodeTable::suggest_node(std::string_view name) const {
  if (suggestions_spent + names.size() > kSuggestionBudget) return "";
  suggestions_spent += names.size();
  return suggest(name, names);
}

namespace {
std::string unknown_node(std::string_view name, const NodeTable& table) {
  const Names& names = table.names;
  std::string msg = "unknown node " + quote(name);
  if (const std::string s = table.suggest_node(name); !s.empty()) msg += "; " + s;
  else if (names.empty()) msg += "; no nodes are defined";
  else if (names.size() <= 8) msg += "; the nodes are " + quoted_list(names, " and ");
  return msg;
}
}  // namespace

std::optional<std::string> NodeTable::node_name(Reader& r, const Json& v, const std::string& pointer) const {
  if (!v.is_string()) {
    r.error(pointer, "expected a node name, found " + r.found(v, pointer));
    return std::nullopt;
  }
  const std::string& name = v.get_ref<const std::string&>();
  if (find(name) != nullptr) return name;
  r.error(pointer, unknown_node(name, *this));
  return std::nullopt;
}

std::optional<net::Ipv4> NodeTable::resolve_address(Reader& r, const Json& v, const std::string& pointer) const {
  if (!v.is_string()) {
    r.error(pointer, "expected a node name or an IPv4 address, found " + r.found(v, pointer));
    return std::nullopt;
  }
  const std::string& text = v.get_ref<const std::string&>();
  if (auto ip = net::Ipv4::parse(text)) return ip;
  if (!text.empty() && text[0] >= '0' && text[0] <= '9') {
    r.error(pointer, "expected a node name or an IPv4 address like \"10.0.0.1\", found " + quote(text) + ": " +
                         ip_problem(text));
    return std::nullopt;
  }
  const net::NodeConfig* node = find(text);
  if (node == nullptr) {
    r.error(pointer, unknown_node(text, *this));
    return std::nullopt;
  }
  if (!node->ip) {
    // A host without an address had an invalid "ip", which is reported already.
    if (node->router)
      r.error(pointer, "router " + quote(text) + " has no IP address; give it an \"ip\" or write an address here");
    return std::nullopt;
  }
  return node->ip;
}

}  // namespace tcpsim::scenario::detail
