// Scenarios played on the real kernel: the relay's fault rules and injections on real packets,
// the parameters reaching the kernel, the trace written and read back, and nothing left behind
// after an interrupted or killed run.
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "sim/cli/app.hpp"
#include "sim/live/run.hpp"
#include "sim/live/tracefs.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/jsonl.hpp"
#include "sim/trace/jsonl_read.hpp"
#include "sim/trace/origin.hpp"

using namespace tcpsim;
using namespace std::chrono_literals;

namespace {

scenario::Scenario load(const std::string& json) {
  auto r = scenario::load_string(json, "test.json");
  if (!r.ok()) FAIL(r.errors.front().to_string());
  return std::move(*r.scenario);
}

std::string meta(const trace::Trace& t, const std::string& key) {
  for (const auto& [k, v] : t.meta())
    if (k == key) return v;
  return {};
}

template <class T>
std::vector<std::pair<const trace::Record*, const T*>> all(const trace::Trace& t) {
  std::vector<std::pair<const trace::Record*, const T*>> out;
  for (const auto& r : t.records())
    if (const auto* b = std::get_if<T>(&r.body)) out.emplace_back(&r, b);
  return out;
}

const trace::SegmentSent* sent(const trace::Trace& t, trace::SegmentId id) {
  for (const auto& [r, s] : all<trace::SegmentSent>(t))
    if (s->id == id) return s;
  return nullptr;
}

// One connection over a 5 ms link, with the fault rules and stop time given.
std::string client_server(const std::string& faults, const std::string& until, const std::string& tcp = "{}",
                          const std::string& close = "1.8s") {
  return R"({"name": "t", "profile": "linux", "until": ")" + until + R"(", "tcp": )" + tcp + R"(,
    "hosts": [{"name": "client", "ip": "10.77.0.1"}, {"name": "server", "ip": "10.77.0.2"}],
    "links": [{"between": ["client", "server"], "delay": "5ms"}],
    "faults": )" + faults + R"(,
    "apps": [
      {"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}, {"on": "eof", "do": "close"}]},
      {"host": "client", "steps": [{"at": "10ms", "do": "connect", "to": "server:80"},
                                   {"on": "connected", "do": "send", "bytes": 500},
                                   {"at": ")" + close + R"(", "do": "close"}]}
    ]})";
}

}  // namespace

TEST_CASE("On the kernel the relay plays every fault rule kind on the n-th matching segment, and the kernel reacts") {
  live::LiveRun run(load(client_server(R"([
      {"action": "drop", "match": {"flags": "SYN"}, "nth": 1},
      {"action": "delay", "delay": "50ms", "match": {"flags": "SYN,ACK"}, "nth": 1},
      {"action": "corrupt", "match": {"from": "client", "len": 500}, "nth": 1},
      {"action": "duplicate", "match": {"from": "client", "flags_include": "FIN"}, "nth": 1}])",
                                       "2.5s")),
                    {});
  run.run();
  const trace::Trace& t = run.trace();
  CHECK(meta(t, "source") == "kernel");
  CHECK(run.end() == live::LiveEnd::StopTime);

  // Rule 0: the first SYN is dropped; the kernel sends it again about 1 s later (its initial RTO),
  // and says so (tcp_retransmit_skb).
  const auto drops = all<trace::SegmentDropped>(t);
  const auto rule0 = std::find_if(drops.begin(), drops.end(), [](const auto& d) { return d.second->rule == 0; });
  REQUIRE(rule0 != drops.end());
  const auto* first_syn = sent(t, rule0->second->id);
  REQUIRE(first_syn);
  CHECK(first_syn->seg.flags == net::Flags{.syn = true});
  std::vector<std::pair<const trace::Record*, const trace::SegmentSent*>> syns;
  for (const auto& s : all<trace::SegmentSent>(t))
    if (s.second->seg.flags == net::Flags{.syn = true}) syns.push_back(s);
  REQUIRE(syns.size() == 2);
  const auto gap = syns[1].first->time - syns[0].first->time;
  CHECK(gap > sim::Duration::ms(950));
  CHECK(gap < sim::Duration::ms(1150));
  CHECK(syns[1].second->retransmission);
  // The run recorded where its time 0 fell on the kernel's tick clock; the retransmission timer
  // fired on that clock, just after a tick edge (timers run from the tick's softirq, where the
  // tcp_retransmit_skb tracepoint is read). The phase is fitted to a fraction of a millisecond:
  // the tracepoint falls from 0.5 ms before an edge to 1.5 ms after it, half of a 4 ms tick, where
  // a wrong phase would land anywhere. (The SYN's time in the trace is when the relay read it,
  // which a busy machine can make a few milliseconds later; it is not what is checked here.)
  const auto phase = trace::tick_phase(t);
  REQUIRE(phase);
  CHECK(phase->hz == live::kernel_info().hz);
  const auto& marks = run.kernel_marks();
  const auto retransmit = std::find_if(marks.begin(), marks.end(), [&](const live::LiveRun::KernelMark& m) {
    return m.event.kind == live::KernelEvent::Kind::Retransmit && m.event.saddr == first_syn->seg.src &&
           m.event.sport == first_syn->seg.sport;
  });
  REQUIRE(retransmit != marks.end());
  CHECK(retransmit->at <= syns[1].first->time);
  CHECK(syns[1].first->time - retransmit->at < sim::Duration::ms(50));
  const std::int64_t tick = 1'000'000'000 / phase->hz;
  const std::int64_t into_tick = (retransmit->at.since_start().count() + phase->tick_offset.count()) % tick;
  INFO("the kernel retransmitted the SYN " << into_tick << " ns into its tick");
  CHECK((into_tick + 500'000) % tick < 2'000'000);
  CHECK(syns[1].second->cause == "tcp_retransmit_skb");

  // Rule 1 delays the SYN,ACK by 50 ms on top of the link's 5 ms.
  const auto delays = all<trace::SegmentDelayed>(t);
  REQUIRE(delays.size() == 1);
  CHECK(delays[0].second->rule == 1);
  CHECK(delays[0].second->extra == sim::Duration::ms(50));
  // Rule 2 damages the data; the server's kernel drops it (bad checksum) and the client sends it again.
  const auto bad = std::count_if(drops.begin(), drops.end(), [](const auto& d) { return d.second->reason == trace::DropReason::Corrupted; });
  CHECK(bad == 1);
  std::size_t data = 0;
  for (const auto& s : all<trace::SegmentSent>(t)) data += s.second->seg.payload_len == 500;
  CHECK(data == 2);
  // Rule 3 duplicates the client's FIN: two copies reach the server.
  const auto dups = all<trace::SegmentDuplicated>(t);
  REQUIRE(dups.size() == 1);
  CHECK(dups[0].second->rule == 3);
  CHECK(run.network().fault_matches(0) == 2);  // both SYNs matched; only the first was dropped
  CHECK(run.network().fault_matches(3) == 1);

  // The kernel's own states, from its tracepoint, and the apps' calls.
  std::vector<std::string> client_states;
  for (const auto& [r, s] : all<trace::StateChanged>(t))
    if (t.node_name(s->node) == "client") client_states.emplace_back(s->to);
  CHECK(client_states == std::vector<std::string>{"SYN_SENT", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "TIME_WAIT"});
  CHECK(run.timing().packets > 5);
}

TEST_CASE("On the kernel an injected segment is crafted into the namespace, and the kernel answers it") {
  live::LiveRun run(load(R"({"name": "inject", "profile": "linux", "until": "300ms",
    "hosts": [{"name": "server", "ip": "10.77.1.2"}, {"name": "attacker", "ip": "192.0.2.66", "tcp": false}],
    "links": [{"between": ["attacker", "server"], "delay": "2ms"}],
    "apps": [{"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}]}],
    "inject": [{"at": "100ms", "src": "attacker", "dst": "server", "sport": 5555, "dport": 80, "seq": 1000, "flags": "SYN"},
               {"at": "150ms", "src": "attacker", "dst": "server", "sport": 5556, "dport": 81, "seq": 7, "flags": "SYN"}]})"),
                    {});
  run.run();
  const trace::Trace& t = run.trace();
  std::vector<const trace::SegmentSent*> answers;
  for (const auto& [r, s] : all<trace::SegmentSent>(t))
    if (!s->injected) answers.push_back(s);
  REQUIRE(answers.size() >= 2);
  CHECK(answers[0]->seg.flags == net::Flags{.syn = true, .ack = true});
  CHECK(answers[0]->seg.ack == net::SeqNum{1001});
  CHECK(answers[0]->seg.options.mss == std::optional<std::uint16_t>(1460));
  // The closed port answers RST,ACK (the SYN,ACK's retransmission may come in between).
  const auto rst = std::find_if(answers.begin(), answers.end(), [](const auto* s) { return s->seg.flags.rst; });
  REQUIRE(rst != answers.end());
  CHECK((*rst)->seg.ack == net::SeqNum{8});
  CHECK((*rst)->cause == "tcp_send_reset");
}

TEST_CASE("On the kernel the scenario's parameters are the namespace's sysctls: one SYN retry gives up 3 s after the first SYN") {
  live::LiveRun run(load(client_server(R"([{"action": "drop", "match": {"flags": "SYN"}}])", "5s",
                                       R"({"syn_retries": 1, "syn_linear_timeouts": 0})", "4s")),
                    {});
  run.run();
  const trace::Trace& t = run.trace();
  CHECK(meta(t, "sysctl client").find("net.ipv4.tcp_syn_retries=1") != std::string::npos);
  CHECK(meta(t, "sysctl client").find("net.ipv4.tcp_syn_linear_timeouts=0") != std::string::npos);
  std::size_t syns = 0;
  for (const auto& [r, s] : all<trace::SegmentSent>(t)) syns += s->seg.flags.syn;
  CHECK(syns == 2);
  const auto notes = all<trace::AppNotify>(t);
  const auto timeout = std::find_if(notes.begin(), notes.end(), [](const auto& n) { return n.second->error == trace::AppError::TimedOut; });
  REQUIRE(timeout != notes.end());
  // The SYN at 10 ms, its retransmission 1 s later, and the give-up one doubled RTO (2 s) after
  // that, on 4 ms ticks.
  CHECK(timeout->first->time > sim::Time::zero() + sim::Duration::ms(2990));
  CHECK(timeout->first->time < sim::Time::zero() + sim::Duration::ms(3200));
}

TEST_CASE("A kernel trace round-trips through the trace reader with its metadata") {
  live::LiveRun run(load(client_server("[]", "200ms")), {});
  run.run();
  std::ostringstream text;
  trace::JsonlSink sink(text);
  for (const auto& r : run.trace().records()) sink.write(r, run.trace());
  sink.finish(run.trace());
  std::istringstream in(text.str());
  const auto back = trace::read_jsonl(in, "kernel.jsonl");
  REQUIRE(back.trace);
  CHECK(back.trace->meta() == run.trace().meta());
  std::ostringstream again;
  trace::JsonlSink sink2(again);
  for (const auto& r : back.trace->records()) sink2.write(r, *back.trace);
  sink2.finish(*back.trace);
  CHECK(again.str() == text.str());
  CHECK(text.str().rfind("{\"meta\":{\"source\":\"kernel\"", 0) == 0);
}

namespace {

// The tracefs instance and TUN devices a run in process `pid` makes.
bool instance_exists(pid_t pid) { return std::filesystem::exists("/sys/kernel/tracing/instances/tcpsim-" + std::to_string(pid)); }

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  for (pid_t c; in >> c;) out.push_back(c);
  return out;
}

bool gone(pid_t pid) { return kill(pid, 0) != 0 && errno == ESRCH; }

// Starts `tcpsim run --kernel` on a long scenario in a child process, and waits until its
// namespaces exist.
pid_t start_long_run(const std::filesystem::path& file, std::vector<pid_t>& hosts) {
  std::ofstream(file) << client_server("[]", "60s");
  const pid_t pid = fork();
  if (pid == 0) {
    std::ostringstream out, err;
    const char* argv[] = {"tcpsim", "run", "--kernel", "-q", file.c_str(), nullptr};
    _exit(cli::run_cli(5, argv, out, err));
  }
  for (int i = 0; i < 300 && (hosts.size() < 2 || !instance_exists(pid)); ++i) {
    std::this_thread::sleep_for(10ms);
    hosts = children_of(pid);
  }
  return pid;
}

}  // namespace

TEST_CASE("An interrupted kernel run removes its namespaces, devices and tracefs instance and says so") {
  const auto file = std::filesystem::temp_directory_path() / "tcpsim-interrupt.json";
  std::vector<pid_t> hosts;
  const pid_t pid = start_long_run(file, hosts);
  REQUIRE(hosts.size() == 2);
  REQUIRE(instance_exists(pid));
  std::this_thread::sleep_for(300ms);
  kill(pid, SIGINT);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == cli::kBadInput);
  CHECK_FALSE(instance_exists(pid));
  for (const pid_t h : hosts) CHECK(gone(h));  // with them their namespaces and devices
  std::filesystem::remove(file);
}

TEST_CASE("A killed kernel run leaves no namespace or device, and the next run removes its tracefs instance") {
  const auto file = std::filesystem::temp_directory_path() / "tcpsim-kill.json";
  std::vector<pid_t> hosts;
  const pid_t pid = start_long_run(file, hosts);
  REQUIRE(hosts.size() == 2);
  kill(pid, SIGKILL);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  // The hosts' processes die with the run (PR_SET_PDEATHSIG), and the kernel removes an unnamed
  // namespace, and the devices in it, when nothing holds it any more.
  for (int i = 0; i < 200 && !std::all_of(hosts.begin(), hosts.end(), gone); ++i) std::this_thread::sleep_for(10ms);
  for (const pid_t h : hosts) CHECK(gone(h));
  CHECK(instance_exists(pid));  // a SIGKILL gives no chance to remove it...
  live::LiveRun next(load(client_server("[]", "50ms")), {});
  next.run();
  CHECK_FALSE(instance_exists(pid));  // ...the next run does
  std::filesystem::remove(file);
}

TEST_CASE("check --kernel plays each linux scenario on the kernel and the model, says which it cannot play, and sums up") {
  const auto dir = std::filesystem::temp_directory_path() / "tcpsim-check-kernel";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "plain.json") << client_server("[]", "300ms");
  std::ofstream(dir / "groups.json") << R"({"name": "g", "profile": "linux", "until": "1s",
    "hosts": [{"name": "server", "ip": "10.77.2.1"}],
    "groups": [{"name": "c", "count": 3, "ip": "10.77.3.1", "link": {"to": "server"},
                "app": {"steps": [{"at": "1ms", "do": "connect", "to": "server:80"}]}}],
    "apps": [{"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}]}]})";
  std::ofstream(dir / "model-only.json") << R"({"name": "m", "until": "1s",
    "hosts": [{"name": "a", "ip": "10.77.4.1"}], "apps": [{"host": "a", "steps": [{"at": "0s", "do": "listen", "port": 80}]}]})";
  std::ostringstream out, err;
  const std::string path = dir.string();
  const char* argv[] = {"tcpsim", "check", "--kernel", path.c_str(), "-j", "2", nullptr};
  const int code = cli::run_cli(6, argv, out, err);
  INFO(out.str() << err.str());
  CHECK(code == cli::kOk);
  CHECK(out.str().find("groups: cannot be played on the kernel: /groups/0: a live run makes a namespace per host") != std::string::npos);
  CHECK((out.str().find("plain: agrees") != std::string::npos || out.str().find("plain: differs at") != std::string::npos));
  CHECK(out.str().find("kernel agreement: ") != std::string::npos);
  CHECK(out.str().find("/1; 1 cannot be played; 1 of other profiles skipped (tolerance 35ms)") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("check --kernel --out writes the fidelity table: the kernel it ran on and a verdict per scenario") {
  const auto dir = std::filesystem::temp_directory_path() / "tcpsim-check-kernel-table";
  const auto out_dir = std::filesystem::temp_directory_path() / "tcpsim-check-kernel-table-out";
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(out_dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "plain.json") << client_server("[]", "300ms");
  std::ostringstream out, err;
  const std::string path = dir.string(), out_path = out_dir.string();
  const char* argv[] = {"tcpsim", "check", "--kernel", path.c_str(), "--out", out_path.c_str(), nullptr};
  REQUIRE(cli::run_cli(6, argv, out, err) == cli::kOk);
  std::ifstream in(out_dir / "fidelity.md");
  REQUIRE(in);
  const std::string table((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  utsname u{};
  REQUIRE(uname(&u) == 0);
  CHECK(table.find("Taken on Linux " + std::string(u.release) + " (HZ ") != std::string::npos);
  CHECK((table.find("**1 of 1 scenarios agree.**") != std::string::npos ||
         table.find("**0 of 1 scenarios agree.**") != std::string::npos));
  CHECK(table.find("| plain | ") != std::string::npos);
  CHECK(std::filesystem::exists(out_dir / "plain.kernel.jsonl"));
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(out_dir);
}
