// The TCP sections of a scenario: "profile" and "tcp" at the top level and per host, and "apps".
//
// A host's parameters are built in three layers: its profile (the host's "profile", else the
// scenario's), then the scenario's "tcp" overrides, then the host's own "tcp" overrides. The
// field names and types come from models/tcp/param_fields.hpp, the one list of parameters.

#include <limits>
#include <type_traits>

#include "models/tcp/jiffies.hpp"
#include "models/tcp/param_fields.hpp"
#include "sim/scenario/loader_detail.hpp"

namespace tcpsim::scenario::detail {
namespace {

using tcp::TcpParams;

constexpr DurationRule kTcpDuration{true, sim::Duration::s(30 * 86400), "720h (30 days)"};
constexpr DurationRule kTcpDurationOrZero{false, sim::Duration::s(30 * 86400), "720h (30 days)"};

const Names& param_names() {
  static const Names names = [] {
    Names n;
    TcpParams p;
    tcp::visit_params(p, [&](std::string_view name, auto&, std::string_view) { n.push_back(name); });
    return n;
  }();
  return names;
}

template <std::size_t N>
Names names_of(const std::array<std::string_view, N>& a) {
  return Names(a.begin(), a.end());
}

template <class E, std::size_t N>
void read_enum(Reader& r, const Json& v, const std::string& pointer, const std::array<std::string_view, N>& names,
               std::string_view what, E& out) {
  if (const auto s = r.choice(v, pointer, names_of(names), what))
    for (std::size_t i = 0; i < N; ++i)
      if (names[i] == *s) out = static_cast<E>(i);
}

// A retry limit: a count, {"count": n, "duration": "180s"} (whichever comes first), or null
// (never give up).
void read_retry(Reader& r, const Json& v, const std::string& pointer, tcp::RetryLimit& out) {
  if (v.is_null()) {
    out = {};
    return;
  }
  if (v.is_number()) {
    if (const auto n = r.integer(v, pointer, 0, 1000)) out = {.count = static_cast<int>(*n), .duration = std::nullopt};
    return;
  }
  static const Names kFields{"count", "duration"};
  Object o(r, v, pointer, kFields, "a retransmission count, {\"count\": 6, \"duration\": \"180s\"} or null");
  if (!o.valid()) return;
  tcp::RetryLimit limit;
  if (const auto n = o.integer("count", 0, 1000)) limit.count = static_cast<int>(*n);
  limit.duration = o.duration("duration", kTcpDuration);
  if (!o.get("count") && !o.get("duration")) {
    r.error(pointer, "expected \"count\", \"duration\" or both (or null for no limit), found an empty object");
    return;
  }
  out = limit;
}

// Reads one field of TcpParams by its type.
struct FieldReader {
  Reader& r;
  const Json& v;
  const std::string& pointer;

  void operator()(std::string_view name, sim::Duration& d) const {
    const bool may_be_zero = name == "msl" || name == "time_wait_length" || name == "tick_offset";
    if (const auto x = r.duration(v, pointer, may_be_zero ? kTcpDurationOrZero : kTcpDuration)) d = *x;
  }
  void operator()(std::string_view name, std::optional<sim::Duration>& d) const {
    if (v.is_null()) {
      d.reset();
      return;
    }
    const bool may_be_zero = name == "time_wait_length";
    if (const auto x = r.duration(v, pointer, may_be_zero ? kTcpDurationOrZero : kTcpDuration)) d = *x;
  }
  void operator()(std::string_view, bool& b) const {
    if (const auto x = r.boolean(v, pointer)) b = *x;
  }
  void operator()(std::string_view name, int& n) const {
    // tcp_pingpong_thresh is a u8 sysctl of at least 1 (proc_dou8vec_minmax, SYSCTL_ONE).
    const bool u8 = name == "pingpong_thresh";
    if (const auto x = r.integer(v, pointer, u8 ? 1 : 0, u8 ? 255 : 1000)) n = static_cast<int>(*x);
  }
  void operator()(std::string_view, std::uint64_t& n) const {
    if (const auto x = r.integer(v, pointer, 0, std::numeric_limits<std::uint64_t>::max())) n = *x;
  }
  void operator()(std::string_view, std::uint16_t& n) const {
    // An MSS below 64 octets cannot carry the headers of real packets (RFC 9293 §3.7.1).
    if (const auto x = r.integer(v, pointer, 64, 65535)) n = static_cast<std::uint16_t>(*x);
  }
  void operator()(std::string_view, std::uint32_t& n) const {
    // Buffers: 1 octet .. 1 GiB (without window scaling the window is capped at 65535 anyway).
    if (const auto x = r.integer(v, pointer, 1, std::uint64_t{1} << 30)) n = static_cast<std::uint32_t>(*x);
  }
  void operator()(std::string_view, std::optional<std::uint32_t>& n) const {
    if (v.is_null()) {
      n.reset();
      return;
    }
    if (const auto x = r.integer(v, pointer, 1, 65535)) n = static_cast<std::uint32_t>(*x);
  }
  void operator()(std::string_view, tcp::RetryLimit& l) const { read_retry(r, v, pointer, l); }
  void operator()(std::string_view, tcp::RtoStyle& e) const { read_enum(r, v, pointer, tcp::kRtoStyleNames, "RTO style", e); }
  void operator()(std::string_view, tcp::DupSynAnswer& e) const {
    read_enum(r, v, pointer, tcp::kDupSynAnswerNames, "answer", e);
  }
  void operator()(std::string_view, tcp::AckPolicyKind& e) const {
    read_enum(r, v, pointer, tcp::kAckPolicyNames, "ACK policy", e);
  }
  void operator()(std::string_view, tcp::NagleKind& e) const { read_enum(r, v, pointer, tcp::kNagleNames, "Nagle rule", e); }
  void operator()(std::string_view, tcp::CongestionKind& e) const {
    read_enum(r, v, pointer, tcp::kCongestionNames, "congestion control", e);
  }
  void operator()(std::string_view, tcp::ProbeKind& e) const {
    read_enum(r, v, pointer, tcp::kProbeKindNames, "probe kind", e);
  }
};

// The "tcp" overrides in `v` applied to `p`; the names set go to `set`.
void read_overrides(Reader& r, const Json& v, const std::string& pointer, TcpParams& p, std::vector<std::string>* set) {
  Object o(r, v, pointer, param_names(),
           "an object of TCP parameters like {\"msl\": \"30s\", \"rto_min\": \"200ms\"} (see scenarios/README.md)");
  if (!o.valid()) return;
  tcp::visit_params(p, [&](std::string_view name, auto& member, std::string_view) {
    const Json* field = o.get(name);
    if (field == nullptr) return;
    FieldReader{r, *field, o.ptr(name)}(name, member);
    if (set) set->emplace_back(name);
  });
  if (p.rto_min > p.rto_max)
    r.error(pointer, "rto_min (" + sim::format_duration(p.rto_min) + ") is greater than rto_max (" +
                         sim::format_duration(p.rto_max) + ")");
  if (const std::string why = tcp::tick_clock_problem(p.hz, p.tick_offset); !why.empty()) r.error(pointer, why);
}

// Copies the fields named in `names` from `from` to `to`.
void copy_fields(const TcpParams& from, TcpParams& to, const std::vector<std::string>& names) {
  std::vector<const void*> source;
  tcp::visit_params(from, [&](std::string_view, const auto& member, std::string_view) { source.push_back(&member); });
  std::size_t i = 0;
  tcp::visit_params(to, [&](std::string_view name, auto& member, std::string_view) {
    using T = std::remove_reference_t<decltype(member)>;
    const void* src = source[i++];
    for (const std::string& n : names)
      if (n == name) member = *static_cast<const T*>(src);
  });
}

TcpParams profile_params(Profile p) {
  return p == Profile::Linux ? TcpParams::linux_profile() : TcpParams::rfc9293();
}

}  // namespace

void read_tcp_defaults(Object& top, const Scenario& s, TcpDefaults& out) {
  out.profile = s.profile;
  out.params = profile_params(s.profile);
  if (const Json* v = top.get("tcp")) read_overrides(top.reader(), *v, top.ptr("tcp"), out.params, &out.set);
}

void read_host_tcp(Object& host, const TcpDefaults& defaults, HostTcp& out) {
  Reader& r = host.reader();
  out.params = defaults.params;
  if (const Json* v = host.get("profile")) {
    if (const auto p = r.choice(*v, host.ptr("profile"), {"rfc9293", "linux"}, "profile")) {
      out.params = profile_params(*p == "linux" ? Profile::Linux : Profile::Rfc9293);
      copy_fields(defaults.params, out.params, defaults.set);
    }
  }
  if (const Json* v = host.get("tcp")) {
    if (v->is_boolean()) {
      out.enabled = v->get<bool>();
    } else if (v->is_object()) {
      read_overrides(r, *v, host.ptr("tcp"), out.params, nullptr);
    } else {
      r.error(host.ptr("tcp"), "expected false (no TCP on this host), true, or an object of TCP parameters, found " +
                                   r.found(*v, host.ptr("tcp")));
    }
  }
  if (const Json* v = host.get("ephemeral_ports")) {
    const std::string pointer = host.ptr("ephemeral_ports");
    if (!v->is_array() || v->size() != 2) {
      r.error(pointer, "expected a port range [first, last] like [49152, 65535], found " + r.found(*v, pointer));
      return;
    }
    const auto lo = r.integer((*v)[0], pointer + "/0", 1, 65535);
    const auto hi = r.integer((*v)[1], pointer + "/1", 1, 65535);
    if (!lo || !hi) return;
    if (*lo > *hi) {
      r.error(pointer, "expected first <= last, found [" + std::to_string(*lo) + ", " + std::to_string(*hi) + "]");
      return;
    }
    out.ephemeral_ports = std::pair{static_cast<std::uint16_t>(*lo), static_cast<std::uint16_t>(*hi)};
  }
}

}  // namespace tcpsim::scenario::detail
