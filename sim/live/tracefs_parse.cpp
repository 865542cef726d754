// Lines of trace_pipe as KernelEvents (tracefs.hpp), and the pipe's byte stream as lines. A line
// is the ftrace context, then the event's own text as its format file's "print fmt" writes it:
//   <comm>-<pid> [<cpu>] <flags> <seconds>.<micros>: <event>: <key>=<value> <key>=<value> ...
// e.g. "python3-3931 [000] ..s2. 62128.431459: inet_sock_set_state: family=AF_INET ...".
#include "sim/live/tracefs.hpp"

#include <charconv>
#include <cstddef>

#include "models/tcp/state.hpp"

namespace tcpsim::live {

namespace {

using Kind = KernelEvent::Kind;

// "<seconds>.<fraction>" as nanoseconds; the "mono" clock prints six fraction digits.
std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const std::string_view secs = text.substr(0, dot);
  const std::string_view frac = text.substr(dot + 1);
  if (frac.empty() || frac.size() > 9 || secs.size() > 10) return std::nullopt;
  std::int64_t s = 0;
  std::int64_t f = 0;
  if (std::from_chars(secs.data(), secs.data() + secs.size(), s).ptr != secs.data() + secs.size()) return std::nullopt;
  if (std::from_chars(frac.data(), frac.data() + frac.size(), f).ptr != frac.data() + frac.size()) return std::nullopt;
  if (s < 0 || f < 0) return std::nullopt;
  for (std::size_t i = frac.size(); i < 9; ++i) f *= 10;
  return s * 1'000'000'000 + f;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  std::uint16_t v = 0;
  if (text.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// The value of `key` in "k1=v1 k2=v2 ...", or nullopt when the key is absent. Values of these
// events hold no spaces.
std::optional<std::string_view> field(std::string_view fields, std::string_view key) {
  std::size_t pos = 0;
  while (pos < fields.size()) {
    std::size_t end = fields.find(' ', pos);
    if (end == std::string_view::npos) end = fields.size();
    const std::string_view token = fields.substr(pos, end - pos);
    if (token.size() > key.size() && token.substr(0, key.size()) == key && token[key.size()] == '=') {
      return token.substr(key.size() + 1);
    }
    pos = end + 1;
  }
  return std::nullopt;
}

// The kernel's state names (include/net/tcp_states.h) as the model's. TCP_NEW_SYN_RECV (a request
// socket) has no model state; inet_sock_set_state never reports it for a full socket.
std::optional<tcp::State> kernel_state(std::string_view name) {
  using S = tcp::State;
  struct Entry {
    std::string_view kernel;
    S state;
  };
  static constexpr Entry kTable[] = {
      {"TCP_ESTABLISHED", S::Established},
      {"TCP_SYN_SENT", S::SynSent},
      {"TCP_SYN_RECV", S::SynReceived},
      {"TCP_FIN_WAIT1", S::FinWait1},
      {"TCP_FIN_WAIT2", S::FinWait2},
      {"TCP_TIME_WAIT", S::TimeWait},
      {"TCP_CLOSE", S::Closed},
      {"TCP_CLOSE_WAIT", S::CloseWait},
      {"TCP_LAST_ACK", S::LastAck},
      {"TCP_LISTEN", S::Listen},
      {"TCP_CLOSING", S::Closing},
  };
  for (const Entry& e : kTable) {
    if (e.kernel == name) return e.state;
  }
  return std::nullopt;
}

// saddr, daddr, sport and dport as inet_sock_set_state, tcp_retransmit_skb and tcp_receive_reset
// print them ("sport=5000 dport=0 saddr=127.0.0.1 daddr=0.0.0.0"); IPv4 only (family=AF_INET).
bool parse_ipv4_ends(std::string_view fields, KernelEvent& ev) {
  if (field(fields, "family") != "AF_INET") return false;
  const auto saddr = field(fields, "saddr");
  const auto daddr = field(fields, "daddr");
  const auto sport = field(fields, "sport");
  const auto dport = field(fields, "dport");
  if (!saddr || !daddr || !sport || !dport) return false;
  const auto s = net::Ipv4::parse(*saddr);
  const auto d = net::Ipv4::parse(*daddr);
  const auto sp = parse_port(*sport);
  const auto dp = parse_port(*dport);
  if (!s || !d || !sp || !dp) return false;
  ev.saddr = *s;
  ev.daddr = *d;
  ev.sport = *sp;
  ev.dport = *dp;
  return true;
}

// "127.0.0.1:5001" (tcp_send_reset's %pISpc); an IPv6 end is "[::1]:5001" and does not parse.
bool parse_socket_address(std::string_view text, net::Ipv4& addr, std::uint16_t& port) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return false;
  const auto a = net::Ipv4::parse(text.substr(0, colon));
  const auto p = parse_port(text.substr(colon + 1));
  if (!a || !p) return false;
  addr = *a;
  port = *p;
  return true;
}

bool parse_state_change(std::string_view fields, KernelEvent& ev) {
  if (field(fields, "protocol") != "IPPROTO_TCP" || !parse_ipv4_ends(fields, ev)) return false;
  const auto from = field(fields, "oldstate");
  const auto to = field(fields, "newstate");
  if (!from || !to) return false;
  const auto f = kernel_state(*from);
  const auto t = kernel_state(*to);
  if (!f || !t) return false;
  ev.from = tcp::trace_name(*f);
  ev.to = tcp::trace_name(*t);
  return true;
}

bool parse_send_reset(std::string_view fields, KernelEvent& ev) {
  const auto src = field(fields, "src");
  const auto dest = field(fields, "dest");
  return src && dest && parse_socket_address(*src, ev.saddr, ev.sport) &&
         parse_socket_address(*dest, ev.daddr, ev.dport);
}

}  // namespace

std::optional<KernelEvent> parse_trace_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  // The command name before "-<pid>" may hold any character, ": " included, so the event is
  // anchored on the timestamp: the first ": " whose preceding word is one and that a
  // "<event>: " follows.
  for (std::size_t colon = line.find(": "); colon != std::string_view::npos; colon = line.find(": ", colon + 1)) {
    const std::size_t space = line.rfind(' ', colon);
    const std::size_t start = space == std::string_view::npos ? 0 : space + 1;
    const auto mono_ns = parse_timestamp(line.substr(start, colon - start));
    if (!mono_ns) continue;
    const std::string_view rest = line.substr(colon + 2);
    const std::size_t name_end = rest.find(": ");
    if (name_end == std::string_view::npos) return std::nullopt;
    const std::string_view name = rest.substr(0, name_end);
    const std::string_view fields = rest.substr(name_end + 2);

    KernelEvent ev;
    ev.mono_ns = *mono_ns;
    bool ok = false;
    if (name == "inet_sock_set_state") {
      ev.kind = Kind::StateChange;
      ok = parse_state_change(fields, ev);
    } else if (name == "tcp_retransmit_skb" || name == "tcp_retransmit_synack") {
      ev.kind = Kind::Retransmit;
      ok = parse_ipv4_ends(fields, ev);
    } else if (name == "tcp_send_reset") {
      ev.kind = Kind::SendReset;
      ok = parse_send_reset(fields, ev);
    } else if (name == "tcp_receive_reset") {
      ev.kind = Kind::ReceiveReset;
      ok = parse_ipv4_ends(fields, ev);
    }
    if (!ok) return std::nullopt;
    return ev;
  }
  return std::nullopt;
}

void TraceLineReader::feed(std::string_view bytes, std::vector<KernelEvent>& out) {
  // trace_pipe hands out whole lines while the reader's buffer has room; a line longer than what
  // is left of a read continues in the next one.
  while (!bytes.empty()) {
    const std::size_t nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(bytes);
      return;
    }
    if (partial_.empty()) {
      take_line(bytes.substr(0, nl), out);
    } else {
      partial_.append(bytes.substr(0, nl));
      take_line(partial_, out);
      partial_.clear();
    }
    bytes.remove_prefix(nl + 1);
  }
}

void TraceLineReader::take_line(std::string_view line, std::vector<KernelEvent>& out) {
  if (auto ev = parse_trace_line(line)) {
    out.push_back(*ev);
    return;
  }
  // "CPU:1 [LOST 42 EVENTS]", or "CPU:1 [LOST EVENTS]" when the ring buffer does not know how
  // many: it overwrote events before this reader got them.
  if (line.rfind("CPU:", 0) != 0) return;
  const std::size_t at = line.find("[LOST ");
  if (at == std::string_view::npos) return;
  const std::string_view count = line.substr(at + 6);
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
  lost_ += (ec == std::errc{} && end != count.data() && n > 0) ? n : 1;
}

}  // namespace tcpsim::live
