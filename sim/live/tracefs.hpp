// The kernel's own account of a live run: its TCP tracepoints read from a tracefs instance of our
// own, and what the kernel is (release, HZ).
//
// A live run records what its sockets did; the kernel says the same thing from the inside through
// four tracepoints, which a tracefs instance (instances/<name>, with its own ring buffer, clock and
// event switches) collects without disturbing other users of tracing:
//   sock:inet_sock_set_state  every state change of a full socket (filtered in the kernel to TCP
//                             over IPv4 with the event's filter file),
//   tcp:tcp_retransmit_skb    every retransmitted segment,
//   tcp:tcp_retransmit_synack every SYN,ACK a request socket sends again (also a Retransmit),
//   tcp:tcp_send_reset        every RST the stack sends, with or without a socket,
//   tcp:tcp_receive_reset     every acceptable RST a socket takes.
// Tracepoints are global: the instance sees every network namespace on the machine, so a reader
// picks its own connections by address and port.
//
// What the text of these events can and cannot say (Linux 6.x):
//  - timestamps are CLOCK_MONOTONIC (the instance's trace_clock "mono") printed in microseconds;
//  - the first state change of a connecting socket (CLOSED -> SYN_SENT) comes before the kernel
//    picks its port, so its sport is 0: it belongs to the next event with the same saddr, daddr
//    and dport;
//  - a socket that enters TIME_WAIT, or FIN_WAIT_2 after its owner closed it, is replaced by a
//    timewait mini-socket that the tracepoint does not follow: the full socket is reported going
//    to CLOSED (FIN_WAIT_2 -> CLOSED, CLOSING -> CLOSED), and the TIME_WAIT itself is silent;
//  - the lines carry no socket identity (the state change prints no socket address), and a
//    dual-stack IPv6 socket talking to an IPv4-mapped address is IPv6 to the kernel (ignored).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/net/wire/address.hpp"

namespace tcpsim::live {

struct KernelEvent {
  enum class Kind : std::uint8_t { StateChange, Retransmit, SendReset, ReceiveReset };
  Kind kind = Kind::StateChange;
  std::int64_t mono_ns = 0;  // CLOCK_MONOTONIC, microsecond resolution (the trace prints µs)
  // The local end (the socket's own address; for SendReset the RST's source) and the remote end.
  net::Ipv4 saddr, daddr;
  std::uint16_t sport = 0, dport = 0;
  // StateChange only: the model's trace names (tcp::trace_name: "SYN_SENT", "SYN_RECEIVED",
  // "TIME_WAIT", "CLOSED", ...), static storage.
  std::string_view from, to;
};

// One line of trace_pipe (or of the trace file) as an event; nullopt for lines of other events,
// of IPv6 or other protocols, for a state the model has no name for (TCP_NEW_SYN_RECV), and for
// anything malformed (headers, "CPU:1 [LOST 3 EVENTS]", a line cut short).
std::optional<KernelEvent> parse_trace_line(std::string_view line);

// The byte stream of trace_pipe as events: whole lines through parse_trace_line(), the start of a
// line that a read cut short kept until the rest comes, loss notices counted.
class TraceLineReader {
 public:
  // Appends the events of the lines `bytes` completes to `out`.
  void feed(std::string_view bytes, std::vector<KernelEvent>& out);
  // Events the ring buffer overwrote before they were read (the pipe's "CPU:1 [LOST 42 EVENTS]"
  // lines; a loss of unknown size counts 1).
  std::uint64_t lost_events() const { return lost_; }
  void clear() { partial_.clear(); }

 private:
  void take_line(std::string_view line, std::vector<KernelEvent>& out);

  std::string partial_;  // the start of a line whose end has not been read yet
  std::uint64_t lost_ = 0;
};

// A tracefs instance of our own (instances/<name>) with trace_clock "mono", a buffer large enough
// for tens of thousands of events per CPU, and the four events above enabled. Mounts tracefs on
// /sys/kernel/tracing when it is mounted nowhere, and unmounts it at close() if it did.
// Removed (events off, rmdir) by close() and the destructor, which never throw.
class KernelTracer {
 public:
  // Creates the instance; on failure returns nullptr, leaves nothing behind and sets *error to one
  // line, e.g. "tracefs: cannot create instance /sys/kernel/tracing/instances/x: File exists".
  static std::unique_ptr<KernelTracer> open(const std::string& name, std::string* error);
  KernelTracer(const KernelTracer&) = delete;
  KernelTracer& operator=(const KernelTracer&) = delete;
  ~KernelTracer();

  // trace_pipe, non-blocking: poll() for POLLIN, then drain(). -1 after close().
  int fd() const { return fd_; }
  // Every event the kernel has now, in order (never blocks; a line cut short by a read is kept
  // for the next call). Lines of other kinds are skipped.
  std::vector<KernelEvent> drain();
  // Events the ring buffer overwrote before they were read: non-zero means the record is
  // incomplete.
  std::uint64_t lost_events() const { return reader_.lost_events(); }
  // The instance's directory, e.g. /sys/kernel/tracing/instances/tcpsim-live-1234.
  const std::string& directory() const { return dir_; }
  // Turns the events off, closes the pipe and removes the instance (events not drained are lost).
  // Idempotent.
  void close() noexcept;

 private:
  KernelTracer() = default;

  std::string root_;  // the tracefs mount point
  std::string dir_;   // root_/instances/<name>
  bool mounted_ = false;
  int fd_ = -1;
  TraceLineReader reader_;
};

// Instance names made by this program start with `prefix` followed by the decimal pid of the
// process that made them (anything after the pid is allowed: "tcpsim-live-1234", "...-1234-b").
// Removes those whose process no longer exists (left behind by a run that was killed) and returns
// how many it removed. Instances of live processes, and names whose pid cannot be read, are kept.
int remove_stale_instances(const std::string& prefix);

struct KernelInfo {
  std::string release;    // uname -r
  std::optional<int> hz;  // CONFIG_HZ
  std::string hz_source;  // "config" (/proc/config.gz or /boot/config-<release>), "measured", or ""
};
// The release, and HZ from the kernel's configuration, or else measured from the jiffies counter
// of /proc/timer_list over ~100 ms (which needs root).
KernelInfo kernel_info();

// The parts of kernel_info(), for tests.
std::optional<int> config_hz(std::string_view kernel_config);  // "CONFIG_HZ=250" in a .config text
std::optional<int> measure_hz();                               // nullopt without /proc/timer_list

// The kernel's tick clock on CLOCK_MONOTONIC: the jiffies counter moves by one at every tick
// edge, edge_ns + k * (1e9 / hz), and reads `jiffies_at_edge` from edge_ns on. A live run records
// where its time 0 falls on it (the trace's meta "jiffies_at_start", "tick_offset_ns"), and the
// model's linux hosts take that phase over, so their timers fall on the kernel's ticks.
struct TickReading {
  std::int64_t now_ns;   // /proc/timer_list: "now at <ns> nsecs"
  std::uint64_t jiffies; // and "jiffies: <n>", printed a little later
};
struct TickPhase {
  std::uint64_t jiffies = 0;   // the jiffies value at that time
  std::int64_t offset_ns = 0;  // how far into its tick that time lies
};
struct KernelTicks {
  int hz = 0;
  std::int64_t edge_ns = 0;
  std::uint64_t jiffies_at_edge = 0;
  TickPhase at(std::int64_t mono_ns) const;
};
// The tick clock that explains readings taken at various points of their ticks, or nullopt when
// no steady clock does (fewer than 4 readings, or under 3/4 of them consistent with one).
std::optional<KernelTicks> fit_ticks(const std::vector<TickReading>& readings, int hz);
// Samples /proc/timer_list ~24 times over ~50 ms and fits them; nullopt without it (not root).
std::optional<KernelTicks> read_kernel_ticks(int hz);

}  // namespace tcpsim::live
