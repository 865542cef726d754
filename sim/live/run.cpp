#include "sim/live/run.hpp"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "sim/live/clock.hpp"
#include "sim/live/host_ns.hpp"
#include "sim/live/linux_params.hpp"
#include "sim/live/privileges.hpp"
#include "sim/live/socket_apps.hpp"
#include "sim/live/tracefs.hpp"
#include "sim/pcap/packet.hpp"

namespace tcpsim::live {
namespace {

using sim::Duration;
using sim::Time;

// SIGINT and SIGTERM end a run the way its stop time does: the loop notices, and everything made
// is removed on the way out.
volatile sig_atomic_t g_interrupted = 0;
extern "C" void on_interrupt(int) { g_interrupted = 1; }

class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~InterruptGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size()))) - (p > 0 ? 1 : 0);
  return v[std::min(i, v.size() - 1)];
}

std::string micros(double us) {
  char b[32];
  std::snprintf(b, sizeof b, "%.0f", us);
  return b;
}

// A port that concurrent runs do not share: the slot's lower half is the kernel's ephemeral
// range, the upper half takes the ports a scenario binds by number.
std::uint16_t slot_base(int slot) { return static_cast<std::uint16_t>(kSlotFirstPort + slot * kSlotPorts); }

}  // namespace

const char* to_string(LiveEnd e) {
  switch (e) {
    case LiveEnd::Quiet: return "nothing left to happen";
    case LiveEnd::StopTime: return "stop time";
    case LiveEnd::MaxRealTime: return "max real time";
  }
  return "?";
}

std::vector<std::string> live_problems(const scenario::Scenario& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.groups.size(); ++i) {
    out.push_back("/groups/" + std::to_string(i) + ": a live run makes a namespace per host; write the " +
                  std::to_string(s.groups[i].count) + " hosts of group \"" + s.groups[i].name + "\" out one by one");
  }
  bool any_apps = false;
  for (std::size_t i = 0; i < s.apps.size(); ++i) {
    const auto& a = s.apps[i];
    any_apps = any_apps || !a.script.steps.empty();
    for (std::size_t j = 0; j < a.script.steps.size(); ++j) {
      app::Step step = a.script.steps[j];
      step.iss.reset();  // reported, not refused: relative numbers compare whatever the ISN
      if (const auto why = unsupported_on_sockets(step)) {
        out.push_back("/apps/" + std::to_string(i) + "/steps/" + std::to_string(j) + " (host " + a.host + ", " +
                      app::to_string(step.action) + "): " + *why);
      }
    }
  }
  if (!any_apps) out.push_back("/apps: no host runs an app, so nothing would happen on the kernel");
  for (std::size_t i = 0; i < s.nodes.size(); ++i) {
    const bool tcp = i < s.tcp.size() && s.tcp[i].enabled && !s.nodes[i].router;
    if (tcp && s.nodes[i].ip && s.nodes[i].ip->value == 0) out.push_back("/hosts/" + std::to_string(i) + "/ip: 0.0.0.0 cannot be a host's address");
  }
  return out;
}

// --- the run ---

struct LiveRun::Impl {
  LiveRun& run;
  // Live hosts, by node id (nullptr: a router, or a host whose TCP the scenario turned off, which
  // stays in the model: segments to it are delivered there and go no further).
  std::vector<std::unique_ptr<HostNamespace>> hosts;
  std::vector<bool> idle;  // by node id: the apps have no timed step left
  std::vector<net::Ipv4> live_ips;
  std::set<std::uint32_t> scenario_ips;
  std::set<std::uint16_t> fixed_ports;  // written in the scenario: listen, connect targets, injected segments
  std::unique_ptr<KernelTracer> tracer;
  std::string prefix;
  std::int64_t start = 0;
  std::optional<KernelTicks> ticks;  // the kernel's tick clock, when /proc/timer_list told it
  std::uint16_t ephemeral_low = 0, ephemeral_high = 0;  // this run's slot (0, 0 without one)

  // The bytes a real TCP sent, by segment id (a copy made by a link or a rule points to the
  // same bytes), written as they are into the destination's TUN device.
  std::unordered_map<trace::SegmentId, std::shared_ptr<const std::vector<std::uint8_t>>> raw;
  std::shared_ptr<const std::vector<std::uint8_t>> pending_raw;  // of the packet being sent

  // Initial sequence numbers. A scenario pins them (`iss` on listen and connect) and writes its
  // injected segments' numbers from them; Linux picks its own. An injected segment's numbers of a
  // live host's connection are moved by the difference, so that they mean on the kernel what
  // they mean in the model: "the next octet the server expects".
  using Tuple = std::tuple<std::uint32_t, std::uint16_t, std::uint32_t, std::uint16_t>;  // local ip, port, remote ip, port
  std::map<std::pair<std::uint32_t, std::uint16_t>, std::uint32_t> pinned_local;  // (ip, port) -> iss
  std::map<Tuple, std::uint32_t> pinned_remote;  // (ip, 0, remote ip, remote port) -> iss
  std::map<Tuple, std::uint32_t> actual_iss;     // the ISN each live host's SYN carried
  std::uint64_t moved_numbers = 0;

  std::optional<std::uint32_t> pinned(net::Endpoint local, net::Endpoint remote) const {
    if (const auto it = pinned_local.find({local.ip.value, local.port}); it != pinned_local.end()) return it->second;
    if (const auto it = pinned_remote.find({local.ip.value, 0, remote.ip.value, remote.port}); it != pinned_remote.end()) return it->second;
    return std::nullopt;
  }
  std::optional<std::uint32_t> actual(net::Endpoint local, net::Endpoint remote) const {
    const auto it = actual_iss.find({local.ip.value, local.port, remote.ip.value, remote.port});
    return it == actual_iss.end() ? std::nullopt : std::optional(it->second);
  }
  net::Segment translate(net::Segment seg) {
    const net::Endpoint src = seg.source(), dst = seg.destination();
    const auto p_dst = pinned(dst, src), a_dst = actual(dst, src);
    if (seg.flags.ack && p_dst && a_dst) seg.ack = net::SeqNum(seg.ack.raw() + (*a_dst - *p_dst));
    const auto p_src = pinned(src, dst), a_src = actual(src, dst);
    if (p_src && a_src) seg.seq = net::SeqNum(seg.seq.raw() + (*a_src - *p_src));
    moved_numbers += (seg.flags.ack && p_dst && a_dst) || (p_src && a_src);
    return seg;
  }
  std::vector<double> late_us;

  // Binds the bytes read to the id the network gives the segment; copies made by links and
  // fault rules carry the original's bytes.
  struct RawSink final : trace::Sink {
    Impl& m;
    explicit RawSink(Impl& impl) : m(impl) {}
    void write(const trace::Record& r, const trace::Trace&) override {
      if (const auto* s = std::get_if<trace::SegmentSent>(&r.body)) {
        if (!s->injected && m.pending_raw) m.raw.emplace(s->id, m.pending_raw);
      } else if (const auto* d = std::get_if<trace::SegmentDuplicated>(&r.body)) {
        if (const auto it = m.raw.find(d->id); it != m.raw.end()) m.raw.emplace(d->copy, it->second);
      } else if (const auto* x = std::get_if<trace::SegmentDropped>(&r.body)) {
        m.raw.erase(x->id);
      }
    }
  } raw_sink{*this};

  struct Timed {
    std::int64_t mono_ns;
    int source;  // 1 apps, 2 kernel (the relay's records come first at equal times)
    trace::Body body;
  };
  std::vector<Timed> app_records;
  std::vector<KernelEvent> kernel_events;

  // Mini sockets, polled from /proc/net/tcp every 10 ms: the tracepoint follows neither timewait
  // sockets (it shows the full socket going to CLOSED when one takes over) nor request sockets
  // (a passive open before its third ACK), so their states come from here.
  struct MiniChange {
    std::int64_t mono_ns, since_ns;  // seen at mono_ns, not at the poll before (since_ns)
    net::NodeId node;
    net::ConnId conn;
    int from, to;  // Linux states (3 SYN_RECV, 5 FIN_WAIT2, 6 TIME_WAIT); 0 = no mini socket
  };
  std::vector<MiniChange> mini_changes;
  std::map<std::pair<net::NodeId, net::ConnId>, int> mini_now;
  std::int64_t last_mini_poll = 0;
  // From the same poll: every kernel socket of the run without a running timer (the delayed-ACK
  // timer is not listed in /proc/net/tcp; `quiet` outlasts it).
  bool sockets_idle = false;

  // Reads the namespaces' socket tables: the mini sockets' changes, and whether any timer runs.
  void poll_sockets() {
    std::map<std::pair<net::NodeId, net::ConnId>, int> seen;
    sockets_idle = true;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      if (!hosts[i]) continue;
      const auto socks = hosts[i]->sockets();
      if (!socks) {
        sockets_idle = false;
        continue;
      }
      for (const auto& k : *socks) {
        sockets_idle = sockets_idle && k.timer == 0;
        // Timer 3: a timewait socket (state FIN_WAIT2 or TIME_WAIT); state 3 with the retransmit
        // timer: a request socket (TCP_NEW_SYN_RECV, listed as SYN_RECV).
        if (k.timer == 3 || (k.state == 3 && k.timer == 1)) seen[{static_cast<net::NodeId>(i), k.conn}] = k.state;
      }
    }
    const std::int64_t now = monotonic_ns();  // after the reads: the table is at least this recent
    for (const auto& [key, state] : seen) {
      const auto it = mini_now.find(key);
      const int before = it == mini_now.end() ? 0 : it->second;
      if (before != state) mini_changes.push_back({now, last_mini_poll, key.first, key.second, before, state});
    }
    for (const auto& [key, state] : mini_now) {
      if (!seen.contains(key)) mini_changes.push_back({now, last_mini_poll, key.first, key.second, state, 0});
    }
    mini_now = std::move(seen);
    last_mini_poll = now;
  }
  std::vector<std::string> line_tail;  // per node: a partial line of the apps' report

  explicit Impl(LiveRun& r) : run(r) {}

  Time now_virtual() const { return Time::zero() + Duration::ns(std::max<std::int64_t>(0, monotonic_ns() - start)); }
  Time virtual_of(std::int64_t mono) const { return Time::zero() + Duration::ns(std::max<std::int64_t>(0, mono - start)); }

  void deliver(net::NodeId node, const net::Segment& seg, trace::SegmentId id) {
    HostNamespace* h = hosts[node].get();
    if (!h) return;
    std::shared_ptr<const std::vector<std::uint8_t>> bytes;
    if (const auto it = raw.find(id); it != raw.end()) {
      bytes = it->second;
      raw.erase(it);
    } else {
      bytes = std::make_shared<const std::vector<std::uint8_t>>(pcap::encode(seg));  // crafted by the scenario
    }
    late_us.push_back(static_cast<double>(monotonic_ns() - start - run.sched_.now().since_start().count()) / 1000.0);
    // A full TUN queue drops the packet, as a full device queue would: the kernel's TCP sees a loss.
    [[maybe_unused]] const ssize_t n = write(h->tun_fd(), bytes->data(), bytes->size());
  }

  void read_packets(net::NodeId node) {
    HostNamespace& h = *hosts[node];
    std::uint8_t buf[65536];
    for (;;) {
      const ssize_t n = read(h.tun_fd(), buf, sizeof buf);
      if (n <= 0) return;
      const std::int64_t at = monotonic_ns() - start;
      if (at >= 0) run.sched_.run(Time::zero() + Duration::ns(at));
      std::string why;
      const auto seg = pcap::decode(std::span(buf, static_cast<std::size_t>(n)), &why);
      if (!seg) {
        run.relay_trace_.emit(run.sched_.now(), trace::Note{"the kernel sent a packet the relay cannot read: " + why, node});
        continue;
      }
      if (seg->flags.syn) actual_iss[{seg->src.value, seg->sport, seg->dst.value, seg->dport}] = seg->seq.raw();
      pending_raw = std::make_shared<const std::vector<std::uint8_t>>(buf, buf + n);
      run.net_->send(node, *seg);
      pending_raw.reset();
    }
  }

  void read_app_events(net::NodeId node) {
    HostNamespace& h = *hosts[node];
    char buf[8192];
    for (;;) {
      const ssize_t n = read(h.events_fd(), buf, sizeof buf);
      if (n <= 0) return;
      std::string& tail = line_tail[node];
      tail.append(buf, static_cast<std::size_t>(n));
      std::size_t from = 0;
      for (std::size_t nl; (nl = tail.find('\n', from)) != std::string::npos; from = nl + 1) {
        const std::string_view line(tail.data() + from, nl - from);
        std::string error;
        const auto e = parse_app_event(line, &error);
        if (!e) {
          throw LiveError("host " + run.net_->node(node).name + ": the apps reported what the relay cannot read (" +
                          error + "): " + std::string(line));
        }
        if (e->idle) idle[node] = *e->idle;
        if (e->body) app_records.push_back({e->mono_ns, 1, *e->body});
      }
      tail.erase(0, from);
    }
  }

  bool ours(const KernelEvent& e) const {
    // A connecting socket's port-0 line that no connect() of ours claimed, or an event from before
    // our apps started, belongs to another run.
    if (e.sport == 0 || e.mono_ns < start - 1'000'000) return false;
    const bool live_src = std::any_of(live_ips.begin(), live_ips.end(), [&](net::Ipv4 ip) { return ip == e.saddr; });
    if (!live_src || !scenario_ips.contains(e.daddr.value)) return false;
    // A run without a slot takes its ephemeral ports below every slot, so runs with and without
    // one never share a 4-tuple; a port inside the slots is then another run's.
    const auto slotted = [](std::uint16_t p) { return p >= kSlotFirstPort && p < kSlotFirstPort + kPortSlots * kSlotPorts; };
    if (ephemeral_low == 0) return !slotted(e.sport) && !slotted(e.dport);
    // The slot's ports: the kernel's ephemeral ones and those the scenario's fixed ports moved to.
    const auto mine = [&](std::uint16_t p) { return p >= ephemeral_low && p < ephemeral_low + kSlotPorts; };
    if (mine(e.sport) || mine(e.dport)) return true;
    return fixed_ports.contains(e.sport) && fixed_ports.contains(e.dport);  // ports the scenario fixed on both sides
  }

  void play();
  void merge();
  void apply_minisockets(std::vector<Timed>& all);
};

LiveRun::LiveRun(scenario::Scenario scenario, const LiveOptions& options)
    : scenario_(std::move(scenario)), options_(options), seed_(options.seed.value_or(scenario_.seed)) {
  const auto problems = live_problems(scenario_);
  if (!problems.empty()) {
    std::string text = scenario_.source.empty() ? "the scenario" : scenario_.source;
    text += ": the kernel cannot play it: " + problems.front();
    for (std::size_t i = 1; i < problems.size(); ++i) text += "; " + problems[i];
    throw LiveError(text);
  }
  if (options_.port_slot >= kPortSlots) throw LiveError("port slot " + std::to_string(options_.port_slot) + " is out of range");
}

LiveRun::~LiveRun() = default;

void LiveRun::run() {
  if (const auto missing = missing_privileges()) throw LiveError(*missing);
  impl_ = std::make_unique<Impl>(*this);
  Impl& m = *impl_;
  InterruptGuard interrupts;
  m.prefix = options_.name_prefix.empty() ? "ts" + std::to_string(getpid()) : options_.name_prefix;

  // A scenario's fixed client ports move into the slot's upper half, everywhere they appear
  // (connect steps, injected segments, fault rules), so concurrent runs never share a 4-tuple.
  std::map<std::pair<std::uint32_t, std::uint16_t>, std::uint16_t> moved;
  if (options_.port_slot >= 0) {
    m.ephemeral_low = slot_base(options_.port_slot);
    m.ephemeral_high = static_cast<std::uint16_t>(m.ephemeral_low + kSlotPorts / 2 - 1);
    // Where in the upper half depends on the process, so that a run does not meet the 4-tuples
    // of the slot's previous run, whose namespace the kernel may still be tearing down.
    auto next = static_cast<std::uint16_t>(m.ephemeral_low + kSlotPorts / 2 + getpid() % (kSlotPorts / 4) * 2);
    for (auto& a : scenario_.apps) {
      const auto node = std::find_if(scenario_.nodes.begin(), scenario_.nodes.end(), [&](const net::NodeConfig& n) { return n.name == a.host; });
      if (node == scenario_.nodes.end() || !node->ip) continue;
      for (auto& st : a.script.steps) {
        if (!st.local_port) continue;
        const auto key = std::pair{node->ip->value, *st.local_port};
        if (!moved.contains(key)) moved[key] = next++;
        st.local_port = moved[key];
      }
    }
    const auto move = [&](net::Ipv4 ip, std::uint16_t& port) {
      if (const auto it = moved.find({ip.value, port}); it != moved.end()) port = it->second;
    };
    for (auto& a : scenario_.apps) {
      for (auto& st : a.script.steps) {
        if (st.action == app::Step::Do::Connect) move(st.remote.ip, st.remote.port);
      }
    }
    for (auto& inj : scenario_.injections) {
      move(inj.segment.src, inj.segment.sport);
      move(inj.segment.dst, inj.segment.dport);
    }
    for (auto& f : scenario_.faults) {
      if (f.match.sport && f.match.from) move(*f.match.from, *f.match.sport);
      if (f.match.dport && f.match.to) move(*f.match.to, *f.match.dport);
      for (const auto& [key, port] : moved) {
        if (!f.match.from && f.match.sport == key.second) f.match.sport = port;
        if (!f.match.to && f.match.dport == key.second) f.match.dport = port;
      }
    }
  }

  streams_ = std::make_unique<sim::RandomStreams>(seed_);
  net_ = std::make_unique<net::Network>(sched_, relay_trace_, *streams_);
  for (const auto& n : scenario_.nodes) net_->add_node(n);
  for (const auto& l : scenario_.links) net_->add_link(l);
  for (const auto& f : scenario_.faults) net_->add_fault(f);
  for (const auto& n : scenario_.nodes) {
    if (n.ip) m.scenario_ips.insert(n.ip->value);
  }
  for (const auto& inj : scenario_.injections) {
    m.scenario_ips.insert(inj.segment.src.value);
    m.scenario_ips.insert(inj.segment.dst.value);
    m.fixed_ports.insert({inj.segment.sport, inj.segment.dport});
  }
  for (const auto& a : scenario_.apps) {
    for (const auto& st : a.script.steps) {
      if (st.action == app::Step::Do::Listen) m.fixed_ports.insert(st.port);
      if (st.action == app::Step::Do::Connect) m.fixed_ports.insert(st.remote.port);
      if (st.local_port) m.fixed_ports.insert(*st.local_port);
    }
  }

  // Where each app's scripts go, with their ISNs (which Linux picks itself) taken out and kept
  // for the injected segments.
  std::vector<std::vector<app::Script>> scripts(scenario_.nodes.size());
  for (const auto& a : scenario_.apps) {
    app::Script s = a.script;
    const net::Ipv4 ip = *scenario_.nodes[*net_->find(a.host)].ip;
    for (auto& st : s.steps) {
      if (st.iss && st.action == app::Step::Do::Listen) m.pinned_local[{ip.value, st.port}] = st.iss->raw();
      if (st.iss && st.action == app::Step::Do::Connect) {
        if (st.local_port) m.pinned_local[{ip.value, *st.local_port}] = st.iss->raw();
        else m.pinned_remote[{ip.value, 0, st.remote.ip.value, st.remote.port}] = st.iss->raw();
      }
      if (st.iss) unmapped_.push_back(a.host + ": iss = " + std::to_string(st.iss->raw()) + " (" + app::to_string(st.action) +
                                      "): Linux picks its own initial sequence numbers; relative numbers compare");
      st.iss.reset();
    }
    scripts[*net_->find(a.host)].push_back(std::move(s));
  }

  const auto info = kernel_info();
  trace_.set_meta("source", "kernel");
  trace_.set_meta("kernel", info.release);
  trace_.set_meta("hz", info.hz ? std::to_string(*info.hz) + " (" + info.hz_source + ")" : "unknown");
  if (info.hz) m.ticks = read_kernel_ticks(*info.hz);
  trace_.set_meta("scenario", scenario_.name);
  trace_.set_meta("profile", scenario::to_string(scenario_.profile));
  trace_.set_meta("seed", std::to_string(seed_));

  // Real time: the relay (and the hosts' apps, which inherit it) wake up on time also on a busy
  // machine. Best effort; the trace says which it got.
  sched_param realtime{};
  realtime.sched_priority = 10;
  const bool fifo = sched_setscheduler(0, SCHED_FIFO, &realtime) == 0;
  trace_.set_meta("priority", fifo ? "SCHED_FIFO 10" : "normal (SCHED_FIFO refused)");
  struct RestorePolicy {
    bool on;
    ~RestorePolicy() {
      sched_param normal{};
      if (on) sched_setscheduler(0, SCHED_OTHER, &normal);
    }
  } restore{fifo};

  remove_stale_instances("tcpsim-");
  std::string error;
  m.tracer = KernelTracer::open("tcpsim-" + std::to_string(getpid()), &error);
  if (!m.tracer) throw LiveError("tracefs: " + error);

  m.hosts.resize(scenario_.nodes.size());
  m.idle.assign(scenario_.nodes.size(), true);
  m.line_tail.resize(scenario_.nodes.size());
  for (std::size_t i = 0; i < scenario_.nodes.size(); ++i) {
    const auto& node = scenario_.nodes[i];
    const bool tcp = i < scenario_.tcp.size() && scenario_.tcp[i].enabled && !node.router;
    if (!tcp) continue;
    const auto& host_tcp = scenario_.tcp[i];
    std::optional<std::pair<std::uint16_t, std::uint16_t>> ports = host_tcp.ephemeral_ports;
    if (m.ephemeral_low != 0) ports = std::pair{m.ephemeral_low, m.ephemeral_high};
    else if (!ports) ports = std::pair<std::uint16_t, std::uint16_t>{32768, kSlotFirstPort - 1};
    const LinuxSetup linux = linux_setup(host_tcp.params, ports);
    for (const auto& u : linux.unmapped) unmapped_.push_back(node.name + ": " + u);
    HostSetup setup;
    setup.host = node.name;
    setup.device = (m.prefix + "-" + std::to_string(i)).substr(0, 15);
    setup.ip = *node.ip;
    setup.sysctls = linux.sysctls;
    setup.mtu = linux.mtu;
    SocketSetup sockets;
    sockets.send_buffer = linux.send_buffer;
    sockets.recv_buffer = linux.recv_buffer;
    sockets.user_timeout_ms = linux.user_timeout_ms;
    sockets.keepalive = linux.keepalive;

    const auto id = static_cast<net::NodeId>(i);
    setup.apps = [&scripts, id, ip = *node.ip, sockets](int events_fd, int stop_fd, std::int64_t start) {
      return run_socket_apps(scripts[id], id, ip, sockets, start, events_fd, stop_fd);
    };
    std::string sysctl_text;
    for (const auto& c : linux.sysctls) sysctl_text += (sysctl_text.empty() ? "" : " ") + c.name + "=" + c.value;
    trace_.set_meta("sysctl " + node.name, sysctl_text);
    m.hosts[i] = HostNamespace::start(std::move(setup), &error);
    if (!m.hosts[i]) throw LiveError(error);
    m.live_ips.push_back(*node.ip);
    m.idle[i] = scripts[i].empty();
    net_->set_receiver(id, [&m, id](const net::Segment& seg, trace::SegmentId sid) { m.deliver(id, seg, sid); });
  }
  std::string unmapped_text;
  for (const auto& u : unmapped_) unmapped_text += (unmapped_text.empty() ? "" : "; ") + u;
  if (!unmapped_text.empty()) trace_.set_meta("unmapped", unmapped_text);

  relay_trace_.add_sink(&m.raw_sink);

  for (std::size_t i = 0; i < scenario_.injections.size(); ++i) {
    const auto via = net_->find(scenario_.injections[i].via);
    if (!via) throw LiveError("/inject/" + std::to_string(i) + "/via: unknown node \"" + scenario_.injections[i].via + "\"");
    sched_.schedule_at(scenario_.injections[i].at, [this, i, v = *via] {
      net_->send(v, impl_->translate(scenario_.injections[i].segment), {}, /*injected=*/true);
    });
  }
  for (std::size_t i = 0; i < scenario_.notes.size(); ++i) {
    sched_.schedule_at(scenario_.notes[i].at, [this, i] { relay_trace_.emit(sched_.now(), trace::Note{scenario_.notes[i].text}); });
  }

  try {
    m.play();
  } catch (...) {
    for (auto& h : m.hosts)
      if (h) h->stop(0);
    m.tracer->close();
    throw;
  }
  m.merge();
}

void LiveRun::Impl::play() {
  LiveRun& r = run;
  const std::optional<Duration> until = r.options_.until ? r.options_.until : r.scenario_.until;
  const Time stop = until ? Time::zero() + *until : Time::max();
  // The apps start a little later than now, so that every namespace has its "go" in time.
  start = monotonic_ns() + 100'000'000;
  // Where time 0 falls on the kernel's tick clock, for the model to take over (trace/origin.hpp).
  if (ticks) {
    const TickPhase phase = ticks->at(start);
    r.trace_.set_meta("jiffies_at_start", std::to_string(phase.jiffies));
    r.trace_.set_meta("tick_offset_ns", std::to_string(phase.offset_ns));
  }
  for (auto& h : hosts) {
    if (h && !h->go(start)) throw LiveError("host " + h->setup().host + ": its process did not take the start signal");
  }
  const std::int64_t deadline = start + r.options_.max_real_time.count();
  std::int64_t quiet_since = -1;  // when nothing-left-to-happen began (-1: it has not)

  std::vector<pollfd> fds;
  std::vector<std::pair<net::NodeId, int>> what;  // per pollfd: node, 0 tun / 1 events; node = UINT32_MAX: tracer
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (!hosts[i]) continue;
    fds.push_back({hosts[i]->tun_fd(), POLLIN, 0});
    what.emplace_back(static_cast<net::NodeId>(i), 0);
    fds.push_back({hosts[i]->events_fd(), POLLIN, 0});
    what.emplace_back(static_cast<net::NodeId>(i), 1);
  }
  fds.push_back({tracer->fd(), POLLIN, 0});
  what.emplace_back(UINT32_MAX, 2);

  for (;;) {
    const std::int64_t now = monotonic_ns();
    if (g_interrupted) throw LiveError("interrupted: every namespace, device and tracefs instance of the run was removed");
    if (r.options_.cancel != nullptr && r.options_.cancel->load()) {
      throw LiveError("cancelled: every namespace, device and tracefs instance of the run was removed");
    }
    if (now >= start) r.sched_.run(std::min(stop, Time::zero() + Duration::ns(now - start)));
    if (now - start >= (stop == Time::max() ? INT64_MAX : stop.since_start().count())) {
      r.end_ = LiveEnd::StopTime;
      r.end_time_ = stop;
      break;
    }
    if (now >= deadline) {
      r.end_ = LiveEnd::MaxRealTime;
      r.end_time_ = now_virtual();
      break;
    }
    for (auto& h : hosts) {
      if (!h) continue;
      if (const auto how = h->exited()) throw LiveError("host " + h->setup().host + ": the apps' process ended during the run (" + *how + ")");
    }
    if (now - last_mini_poll >= 10'000'000) poll_sockets();
    // Nothing left to happen?
    const bool model_idle = !r.sched_.next_time() && std::all_of(idle.begin(), idle.end(), [](bool b) { return b; });
    if (model_idle && sockets_idle && now >= start) {
      if (quiet_since < 0) quiet_since = now;
      if (now - quiet_since >= r.options_.quiet.count()) {
        r.end_ = LiveEnd::Quiet;
        r.end_time_ = now_virtual();
        break;
      }
    } else {
      quiet_since = -1;
    }

    std::int64_t wait = 20'000'000;  // look at sockets and children at least this often
    if (const auto next = r.sched_.next_time()) wait = std::min(wait, start + next->since_start().count() - now);
    wait = std::clamp<std::int64_t>(wait, 0, 20'000'000);
    const timespec ts{static_cast<time_t>(wait / 1'000'000'000), static_cast<long>(wait % 1'000'000'000)};
    const int n = ppoll(fds.data(), fds.size(), &ts, nullptr);
    if (n < 0 && errno != EINTR) throw LiveError(std::string("poll: ") + std::strerror(errno));
    if (n <= 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const auto [node, kind] = what[i];
      if (kind == 0) read_packets(node);
      else if (kind == 1) read_app_events(node);
      else for (auto& e : tracer->drain()) kernel_events.push_back(e);
    }
  }
  // The last word of each source, then everything made is removed.
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (hosts[i]) read_app_events(static_cast<net::NodeId>(i));
  }
  poll_sockets();
  for (auto& h : hosts) {
    if (h) h->stop();
  }
  for (auto& e : tracer->drain()) kernel_events.push_back(e);
  tracer->close();

  RelayTiming& t = r.timing_;
  t.packets = late_us.size();
  t.late_median_us = percentile(late_us, 0.5);
  t.late_p99_us = percentile(late_us, 0.99);
  t.late_max_us = late_us.empty() ? 0 : *std::max_element(late_us.begin(), late_us.end());
  r.trace_.set_meta("end", to_string(r.end_));
  if (moved_numbers > 0) {
    r.trace_.set_meta("injected", std::to_string(moved_numbers) +
                                      " injected segment(s) had their numbers moved from the scenario's pinned ISNs to the kernel's");
  }
  r.trace_.set_meta("relay", std::to_string(t.packets) + " packets written, late by median " + micros(t.late_median_us) +
                                 " us, p99 " + micros(t.late_p99_us) + " us, max " + micros(t.late_max_us) + " us");
}

namespace {

std::string_view linux_state_name(int s) {
  switch (s) {
    case 5: return "FIN_WAIT_2";
    case 6: return "TIME_WAIT";
    default: return "CLOSED";
  }
}

}  // namespace

// What the timewait sockets add to the tracepoint's story. A timewait socket appearing in
// TIME_WAIT turns the tracepoint's "-> CLOSED" of the full socket it replaced into "-> TIME_WAIT";
// one appearing in FIN_WAIT2 (an orphan waiting for the peer's FIN, tcp_fin_timeout) cancels that
// "-> CLOSED": the connection stays in FIN_WAIT_2. A FIN_WAIT2 timewait socket turning TIME_WAIT
// did so when the peer's FIN arrived; one that disappears ended when a RST arrived (TIME-WAIT
// assassination) or, without one, when its timer expired (seen at the poll, within 10 ms).
void LiveRun::Impl::apply_minisockets(std::vector<Timed>& all) {
  LiveRun& r = run;
  // The segments sent and delivered, with their times, for the moments the mini sockets act.
  std::unordered_map<trace::SegmentId, const net::Segment*> segs;
  struct Passage {
    std::int64_t mono_ns;
    net::NodeId node;  // the sender, or the host it reached
    const net::Segment* seg;
  };
  std::vector<Passage> arrivals, sends;
  for (const auto& rec : r.relay_trace_.records()) {
    const std::int64_t at = rec.time.since_start().count() + start;
    if (const auto* s = std::get_if<trace::SegmentSent>(&rec.body)) {
      segs[s->id] = &s->seg;
      if (!s->injected) sends.push_back({at, s->node, &s->seg});
    } else if (const auto* d = std::get_if<trace::SegmentDuplicated>(&rec.body)) {
      segs[d->copy] = segs[d->id];
    } else if (const auto* d = std::get_if<trace::SegmentDelivered>(&rec.body)) {
      if (segs[d->id]) arrivals.push_back({at, d->node, segs[d->id]});
    }
  }
  // The last segment to `node` on `conn` in (since, until] with FIN (or RST), else `until`.
  const auto arrival = [&](net::NodeId node, const net::ConnId& conn, std::int64_t since, std::int64_t until, bool fin) {
    std::int64_t at = until;
    for (const Passage& a : arrivals) {
      if (a.node != node || a.mono_ns <= since || a.mono_ns > until) continue;
      if (a.seg->destination() != conn.local || a.seg->source() != conn.remote) continue;
      if (fin ? a.seg->flags.fin : a.seg->flags.rst) at = a.mono_ns;
    }
    return at;
  };
  // The first SYN,ACK `node` sent on `conn` in [since, until], if any.
  const auto first_synack = [&](net::NodeId node, const net::ConnId& conn, std::int64_t since, std::int64_t until) {
    for (const Passage& p : sends) {
      if (p.node != node || p.mono_ns < since || p.mono_ns > until) continue;
      if (p.seg->flags == net::Flags{.syn = true, .ack = true} && p.seg->source() == conn.local && p.seg->destination() == conn.remote) {
        return std::optional<std::int64_t>(p.mono_ns);
      }
    }
    return std::optional<std::int64_t>();
  };
  const auto state_of = [](Timed& t) { return t.source == 2 ? std::get_if<trace::StateChanged>(&t.body) : nullptr; };

  // A passive open's SYN_RECEIVED began when its request socket (TCP_NEW_SYN_RECV, which the
  // tracepoint does not report) answered the SYN; the tracepoint reports it only when the third
  // ACK turns the request into a full socket (inet_csk_clone_lock()). It is moved back to the
  // first SYN,ACK of the 4-tuple since the previous state change there.
  std::map<std::pair<net::NodeId, net::ConnId>, std::int64_t> last_change;
  std::stable_sort(all.begin(), all.end(), [](const Timed& a, const Timed& b) { return a.mono_ns < b.mono_ns; });
  for (Timed& t : all) {
    auto* s = state_of(t);
    if (!s) continue;
    const auto key = std::pair{s->node, s->conn};
    if (s->from == "LISTEN" && s->to == "SYN_RECEIVED") {
      const auto since = last_change.contains(key) ? last_change[key] : start;
      if (const auto at = first_synack(s->node, s->conn, since, t.mono_ns)) {
        t.mono_ns = *at - 1;  // the state change comes before the segment it sends
        s->cause = "kernel: a request socket (TCP_NEW_SYN_RECV) answered the SYN; the third ACK made it a full socket";
      }
    }
    last_change[key] = t.mono_ns;
  }

  for (const MiniChange& c : mini_changes) {
    const bool request = c.from == 3 || c.to == 3;
    if (request) {
      // A request socket that disappears without becoming a full socket was dropped: its SYN,ACK
      // retries ran out, or a RST removed it.
      if (c.to != 0) continue;  // its appearance: the SYN,ACK above says when
      // A full socket in SYN_RECV (a simultaneous open) is listed alike; whatever the tracepoint
      // says it left SYN_RECEIVED for near the time (ESTABLISHED, CLOSED) is the story then.
      bool told = false;
      for (Timed& t : all) {
        const auto* s = state_of(t);
        told = told || (s && s->node == c.node && s->conn == c.conn && s->from == "SYN_RECEIVED" &&
                        t.mono_ns > c.since_ns - 50'000'000 && t.mono_ns < c.mono_ns + 50'000'000);
      }
      if (told) continue;
      bool opened = false;  // not seen by the retiming above: say when it began
      for (Timed& t : all) {
        const auto* s = state_of(t);
        opened = opened || (s && s->node == c.node && s->conn == c.conn && s->to == "SYN_RECEIVED");
      }
      if (!opened) {
        if (const auto at = first_synack(c.node, c.conn, start, c.mono_ns)) {
          all.push_back({*at - 1, 2, trace::StateChanged{c.node, c.conn, "LISTEN", "SYN_RECEIVED",
                                                         "kernel: a request socket (TCP_NEW_SYN_RECV) answered the SYN (seen in /proc/net/tcp)"}});
        }
      }
      std::int64_t at = arrival(c.node, c.conn, c.since_ns, c.mono_ns, false);
      const bool reset = at != c.mono_ns;
      if (!reset) {
        // Dropped by its own timer (reqsk_timer_handler(): retries spent, or pruned from a
        // crowded queue), which runs on a tick of the listener's request timers. When the
        // listener sent SYN,ACKs again between the two polls, that tick is taken for it, just
        // before them: the wheel runs the last-armed request first, and those are the ones a
        // crowded queue prunes. Otherwise the poll that saw it gone says when.
        for (const Passage& p : sends) {
          if (p.node == c.node && p.mono_ns > c.since_ns && p.mono_ns <= c.mono_ns &&
              p.seg->flags == net::Flags{.syn = true, .ack = true} && p.seg->source() == c.conn.local) {
            at = p.mono_ns - 1;
            break;
          }
        }
      }
      all.push_back({at, 2, trace::StateChanged{c.node, c.conn, "SYN_RECEIVED", "CLOSED",
                                               reset ? "kernel: a RST removed the request socket"
                                                     : "kernel: the request socket was dropped (seen in /proc/net/tcp)"}});
      continue;
    }
    if (c.from == 0) {
      // The full socket's last "-> CLOSED" before the timewait socket was seen. The timewait
      // socket is in the table a moment before the tracepoint's time (tcp_time_wait() hashes it
      // in, then tcp_done() closes the full socket), so a poll may see it first.
      Timed* closed = nullptr;
      for (Timed& t : all) {
        const auto* s = state_of(t);
        if (s && s->node == c.node && s->conn == c.conn && s->to == "CLOSED" && t.mono_ns <= c.mono_ns + 5'000'000) closed = &t;
      }
      if (!closed) continue;
      auto& s = std::get<trace::StateChanged>(closed->body);
      if (c.to == 6) {
        s.to = "TIME_WAIT";
        s.cause = "kernel: a timewait socket took over (tcp_time_wait)";
      } else {
        closed->mono_ns = INT64_MIN;  // removed below: the connection stays in FIN_WAIT_2
      }
      continue;
    }
    const bool fin = c.to == 6;
    const std::int64_t at = arrival(c.node, c.conn, c.since_ns, c.mono_ns, fin);
    const char* cause = c.to == 6 ? "kernel: the peer's FIN reached the FIN_WAIT2 timewait socket"
                        : at != c.mono_ns ? "kernel: a RST ended the timewait socket"
                                           : "kernel: the timewait socket's timer expired (seen in /proc/net/tcp)";
    all.push_back({at, 2, trace::StateChanged{c.node, c.conn, linux_state_name(c.from), linux_state_name(c.to), cause}});
  }
  std::erase_if(all, [](const Timed& t) { return t.mono_ns == INT64_MIN; });
}

// The relay's records, the apps' and the kernel's, in time order, into one trace.
void LiveRun::Impl::merge() {
  LiveRun& r = run;
  const Time end = r.end_time_;
  std::vector<Timed> all;
  for (const auto& rec : r.relay_trace_.records()) all.push_back({rec.time.since_start().count() + start, 0, rec.body});
  for (auto& a : app_records) all.push_back(std::move(a));

  // A connecting socket's first state change (CLOSED -> SYN_SENT) comes before the kernel picks
  // its port (sport 0), and the tracepoint sees every namespace: concurrent runs with the same
  // addresses make the same line. Our apps' connect() calls say which is ours: the one of the same
  // addresses and remote port that follows the call most closely (the call is timed before the
  // system call, the state change happens inside it).
  std::set<std::size_t> claimed;
  for (const Timed& t : app_records) {
    const auto* call = std::get_if<trace::AppCall>(&t.body);
    if (!call || call->call != "connect" || call->conn.local.port == 0) continue;
    const auto same = [&](const KernelEvent& e) {
      return e.kind == KernelEvent::Kind::StateChange && e.to == "SYN_SENT" && e.saddr == call->conn.local.ip &&
             e.daddr == call->conn.remote.ip && e.dport == call->conn.remote.port &&
             e.mono_ns >= t.mono_ns - 1'000'000 && e.mono_ns <= t.mono_ns + 20'000'000;
    };
    // A socket bound before connect() (a scenario's local_port) has its port in the line already.
    if (std::any_of(kernel_events.begin(), kernel_events.end(),
                    [&](const KernelEvent& e) { return same(e) && e.sport == call->conn.local.port; })) {
      continue;
    }
    std::size_t best = kernel_events.size();
    for (std::size_t i = 0; i < kernel_events.size(); ++i) {
      const KernelEvent& e = kernel_events[i];
      if (!same(e) || e.sport != 0 || claimed.contains(i)) continue;
      if (best == kernel_events.size() || std::llabs(e.mono_ns - t.mono_ns) < std::llabs(kernel_events[best].mono_ns - t.mono_ns)) best = i;
    }
    if (best == kernel_events.size()) continue;
    claimed.insert(best);
    kernel_events[best].sport = call->conn.local.port;
  }
  // The kernel's state changes; its retransmit and reset events mark the segments they name.
  const auto owner = [&](net::Ipv4 ip) { return r.net_->owner(ip); };
  // The 4-tuples whose segments crossed the relay, as (local, remote) of each sender.
  std::set<std::tuple<std::uint32_t, std::uint16_t, std::uint32_t, std::uint16_t>> crossed;
  for (const auto& rec : r.relay_trace_.records())
    if (const auto* s = std::get_if<trace::SegmentSent>(&rec.body))
      crossed.insert({s->seg.src.value, s->seg.sport, s->seg.dst.value, s->seg.dport});
  std::vector<std::pair<std::int64_t, KernelEvent>> marks;
  r.kernel_marks_.clear();
  for (const KernelEvent& e : kernel_events) {
    if (!ours(e)) continue;
    // A socket that leaves a synchronized state without a segment of its 4-tuple ever crossing
    // the relay is not one of this run's: it belonged to an earlier run's namespace, which the
    // kernel tears down (and closes its sockets) seconds after that run ended.
    if (e.kind == KernelEvent::Kind::StateChange && e.from != "CLOSED" && e.from != "LISTEN" &&
        !crossed.contains({e.saddr.value, e.sport, e.daddr.value, e.dport}) &&
        !crossed.contains({e.daddr.value, e.dport, e.saddr.value, e.sport}))
      continue;
    const auto node = owner(e.saddr);
    if (!node) continue;
    const net::ConnId conn{{e.saddr, e.sport}, {e.daddr, e.dport}};
    switch (e.kind) {
      case KernelEvent::Kind::StateChange:
        if (e.daddr.value == 0) continue;  // a listener: its apps report it, the tracepoint cannot tell runs apart
        all.push_back({e.mono_ns, 2, trace::StateChanged{*node, conn, e.from, e.to, "kernel: inet_sock_set_state"}});
        break;
      case KernelEvent::Kind::ReceiveReset:
        all.push_back({e.mono_ns, 2, trace::Note{"the kernel accepted the RST (tcp_receive_reset)", *node, conn}});
        break;
      default:
        marks.emplace_back(e.mono_ns, e);
        r.kernel_marks_.push_back({virtual_of(e.mono_ns), e});
    }
  }
  apply_minisockets(all);
  std::stable_sort(all.begin(), all.end(), [](const Timed& a, const Timed& b) {
    return a.mono_ns != b.mono_ns ? a.mono_ns < b.mono_ns : a.source < b.source;
  });
  // A retransmit or reset event comes just before its segment reaches the relay: it names the
  // first segment of its 4-tuple sent at or after it (within 50 ms), not yet named.
  std::set<std::size_t> named;
  for (const auto& [at, e] : marks) {
    const bool reset = e.kind == KernelEvent::Kind::SendReset;
    const auto from = std::lower_bound(all.begin(), all.end(), at - 1'000'000,
                                       [](const Timed& t, std::int64_t x) { return t.mono_ns < x; });
    for (auto i = static_cast<std::size_t>(from - all.begin()); i < all.size(); ++i) {
      if (all[i].mono_ns > at + 50'000'000) break;
      if (named.contains(i)) continue;
      auto* s = std::get_if<trace::SegmentSent>(&all[i].body);
      if (!s || s->injected) continue;
      const bool forward = s->seg.src == e.saddr && s->seg.sport == e.sport && s->seg.dst == e.daddr && s->seg.dport == e.dport;
      const bool backward = s->seg.src == e.daddr && s->seg.sport == e.dport && s->seg.dst == e.saddr && s->seg.dport == e.sport;
      if (!(forward || (reset && backward)) || (reset && !s->seg.flags.rst)) continue;
      if (reset) s->cause = "tcp_send_reset";
      else {
        s->retransmission = true;
        s->cause = "tcp_retransmit_skb";
      }
      named.insert(i);
      break;
    }
  }

  for (std::size_t i = 0; i < r.net_->node_count(); ++i) r.trace_.add_node(r.net_->node(static_cast<net::NodeId>(i)).name);
  for (auto& t : all) {
    const Time at = virtual_of(t.mono_ns);
    if (at > end) continue;  // after the run ended (the children's exit closes what was open)
    r.trace_.emit(at, std::move(t.body));
  }
  r.trace_.finish();
}

}  // namespace tcpsim::live
