// Runs without an end and runs out of memory, through the command line: a bound stops the run
// with exit 2 and says how to raise it; out of memory is exit 3 with a message, never an abort.

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/app.hpp"
#include "tests/cli/cli_support.hpp"

namespace fs = std::filesystem;
using cli_support::cli;
using cli_support::Result;

namespace {

// A fresh directory for one test's files.
fs::path dir_for(const std::string& test) {
  const fs::path dir = fs::temp_directory_path() / ("tcpsim-limits-" + test);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

fs::path write(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

// Keep-alive every 720 h, answered: nothing ends the run but a bound.
std::string keepalive_720h(const std::string& extra = "") {
  return R"({
  "name": "keepalive-720h",
  "tcp": {"keepalive": true, "keepalive_idle": "720h", "keepalive_interval": "720h"},
  "hosts": [{"name": "A", "ip": "10.0.0.1"}, {"name": "B", "ip": "10.0.0.2"}],
  "links": [{"between": ["A", "B"], "delay": "10ms"}],
  "apps": [
    {"host": "B", "steps": [{"at": "0s", "do": "listen", "port": 80}]},
    {"host": "A", "steps": [{"at": "1ms", "do": "connect", "to": "B:80"}]}
  ])" + extra + "}\n";
}

// 1 TiB over a 10 ms link: about 18 000 trace records per virtual second, kept in memory.
std::string send_1tib(const std::string& extra = "") {
  return R"({
  "name": "send-1tib",
  "hosts": [{"name": "A", "ip": "10.0.0.1"}, {"name": "B", "ip": "10.0.0.2"}],
  "links": [{"between": ["A", "B"], "delay": "10ms"}],
  "apps": [
    {"host": "B", "steps": [{"at": "0s", "do": "listen", "port": 80}]},
    {"host": "A", "steps": [{"at": "1ms", "do": "connect", "to": "B:80"},
                            {"on": "connected", "do": "send", "bytes": 1099511627776}]}
  ])" + extra + "}\n";
}

constexpr const char* kOk = R"({
  "name": "ok",
  "hosts": [{"name": "A", "ip": "10.0.0.1"}, {"name": "B", "ip": "10.0.0.2"}],
  "links": [{"between": ["A", "B"], "delay": "10ms"}],
  "apps": [{"host": "A", "steps": [{"at": "0s", "do": "connect", "to": "B:81"}]}],
  "expect": {"apps": {"A": {"connect": "ECONNREFUSED"}}}
}
)";

}  // namespace

TEST_CASE("tcpsim run stops a run without an end at the time bound and exits 2 saying how to raise it", "[cli][limits]") {
  const fs::path file = write(dir_for("run-time") / "keepalive.json", keepalive_720h());
  const auto r = cli({"run", "-q", file.string()});
  INFO(r.out << r.err);
  CHECK(r.code == 2);
  CHECK_THAT(r.err, Catch::StartsWith("tcpsim run: " + file.string() +
                                      ": stopped at the virtual-time bound of 720h: the next event is at t=2592000.021000 s; "
                                      "5 events executed by t=0.031000 s; raise it with --max-time T or "
                                      "\"limits\": {\"time\": \"T\"}, or end the run with \"until\""));
  CHECK_THAT(r.out, Catch::Contains("ran to t=0.031000 s: 27 trace records (#0-#26), 5 scheduler events"));

  // Raised on the command line, the same run goes on for ten years of probes.
  const auto longer = cli({"run", "-q", file.string(), "--max-time", "87600h"});
  CHECK(longer.code == 2);
  CHECK_THAT(longer.err, Catch::Contains("virtual-time bound of 87600h"));
  // Ended by "until" within the bound, it is an ordinary run.
  const auto until = cli({"run", "-q", file.string(), "--until", "719h"});
  CHECK(until.code == 0);
  CHECK(until.err.empty());
}

TEST_CASE("tcpsim run stops at the event and record bounds of the command or the scenario", "[cli][limits]") {
  const fs::path dir = dir_for("run-counts");
  const fs::path file = write(dir / "send.json", send_1tib());
  const auto events = cli({"run", "-q", file.string(), "--max-events", "2000"});
  INFO(events.out << events.err);
  CHECK(events.code == 2);
  CHECK_THAT(events.err, Catch::Contains(": stopped at the event bound: 2000 events executed by t=") &&
                             Catch::Contains("raise it with --max-events N or \"limits\": {\"events\": N}"));
  CHECK_THAT(events.out, Catch::Contains(", 2000 scheduler events"));

  const fs::path limited = write(dir / "limited.json", send_1tib(R"(, "limits": {"records": 3000})"));
  const auto records = cli({"run", "-q", limited.string()});
  INFO(records.out << records.err);
  CHECK(records.code == 2);
  CHECK_THAT(records.err, Catch::Contains(": stopped at the record bound: ") &&
                              Catch::Contains(" trace records kept (bound 3000) after ") &&
                              Catch::Contains("--max-records N or \"limits\": {\"records\": N}"));
  // The command's bound wins over the scenario's.
  const auto raised = cli({"run", "-q", limited.string(), "--max-records", "9000"});
  CHECK_THAT(raised.err, Catch::Contains("(bound 9000)"));

  // The trace written up to the bound is complete JSON Lines, and the same on every run.
  const fs::path t1 = dir / "t1.jsonl", t2 = dir / "t2.jsonl";
  cli({"run", "-q", limited.string(), "--trace", t1.string()});
  cli({"run", "-q", limited.string(), "--trace", t2.string()});
  std::ifstream a(t1), b(t2);
  const std::string ta{std::istreambuf_iterator<char>(a), {}}, tb{std::istreambuf_iterator<char>(b), {}};
  CHECK(ta == tb);
  std::size_t lines = 0;
  std::istringstream in(ta);
  for (std::string line; std::getline(in, line);) {
    CHECK(nlohmann::json::accept(line));
    ++lines;
  }
  CHECK(lines >= 3000);
}

TEST_CASE("Bad bound values are rejected with exit 2 and the range expected", "[cli][limits]") {
  const fs::path file = write(dir_for("flags") / "keepalive.json", keepalive_720h());
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--max-events", "0"}, "tcpsim run: --max-events: expected an integer from 1 to 1000000000000000, found \"0\""},
      {{"--max-events", "-5"}, "--max-events: expected an integer from 1 to 1000000000000000, found \"-5\""},
      {{"--max-events", "1e6"}, "found \"1e6\""},
      {{"--max-events", "1000000000000001"}, "found \"1000000000000001\""},
      {{"--max-records", "abc"}, "tcpsim run: --max-records: expected an integer from 1 to 1000000000000, found \"abc\""},
      {{"--max-records", "99999999999999999999999"}, "found \"99999999999999999999999\""},
      {{"--max-time", "10"}, "tcpsim run: --max-time: invalid duration \"10\": missing unit"},
      {{"--max-time", "0s"}, "--max-time: expected a duration greater than 0s and at most 876000h (100 years), found \"0s\""},
      {{"--max-time", "900000h"}, "at most 876000h (100 years), found \"900000h\""},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args{"run", "-q", file.string()};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const auto r = cli(args);
    INFO(c.args[0] << " " << c.args[1] << ": " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
    CHECK(r.out.empty());
  }
  const auto check = cli({"check", file.string(), "--max-events", "x"});
  CHECK(check.code == 2);
  CHECK_THAT(check.err, Catch::Contains("tcpsim check: --max-events: expected an integer"));
}

TEST_CASE("tcpsim check reports a bounded run as LIMIT in the table, JUnit and summary.json, and exits 2", "[cli][limits]") {
  const fs::path dir = dir_for("check");
  const fs::path in = dir / "in";
  fs::create_directories(in);
  write(in / "keepalive.json", keepalive_720h());
  write(in / "ok.json", kOk);
  const fs::path out = dir / "out";
  const auto r = cli({"check", "-j", "2", "--junit", (dir / "junit.xml").string(), "--out", out.string(), in.string()});
  INFO(r.out << r.err);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("LIMIT   keepalive") && Catch::Contains("PASS    ok"));
  CHECK_THAT(r.out, Catch::Contains("stopped at the virtual-time bound of 720h") &&
                        Catch::Contains("raise it with --max-time T"));
  CHECK_THAT(r.out, Catch::Contains("2 scenarios: 1 passed, 0 failed, 0 invalid, 1 stopped at a bound"));

  std::ifstream junit_file(dir / "junit.xml");
  const std::string junit{std::istreambuf_iterator<char>(junit_file), {}};
  CHECK_THAT(junit, Catch::Contains("errors=\"1\"") && Catch::Contains("<error message=\"stopped at the virtual-time bound"));

  const auto summary = nlohmann::json::parse(std::ifstream(out / "summary.json"));
  CHECK(summary["limited"] == 1);
  CHECK(summary["passed"] == 1);
  const auto& keepalive = summary["results"][0];
  CHECK(keepalive["verdict"] == "LIMIT");
  CHECK(keepalive["limit"]["bound"] == "virtual-time");
  CHECK(keepalive["limit"]["events"] == 5);
  CHECK(keepalive["events"] == 5);

  // A command-line bound applies to every scenario of the batch.
  const auto small = cli({"check", "-q", "--max-events", "2", in.string()});
  CHECK(small.code == 2);
  CHECK_THAT(small.out, Catch::Contains("LIMIT   keepalive") && Catch::Contains("LIMIT   ok") &&
                            Catch::Contains("stopped at the event bound: 2 events executed"));
}

// Address-space limits do not work under AddressSanitizer, which reserves terabytes up front.
#if !defined(__SANITIZE_ADDRESS__)
namespace {

// Runs the CLI in a forked child whose address space is limited to what it uses now plus
// `headroom`; returns how the child ended and what it wrote to stderr and stdout.
struct ChildResult {
  bool exited = false;
  int code = -1;
  int signal = 0;
  std::string err, out;
};

std::size_t address_space_in_use() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0;
  statm >> pages;
  return pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

ChildResult run_limited(const std::vector<std::string>& args, std::size_t headroom, const fs::path& dir) {
  const fs::path err_file = dir / "stderr.txt", out_file = dir / "stdout.txt";
  std::fflush(nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const rlimit lim{address_space_in_use() + headroom, RLIM_INFINITY};
    setrlimit(RLIMIT_AS, &lim);
    const Result r = cli(args);
    std::ofstream(err_file) << r.err;
    std::ofstream(out_file) << r.out;
    _exit(r.code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ChildResult c;
  c.exited = WIFEXITED(status);
  if (c.exited) c.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) c.signal = WTERMSIG(status);
  std::ifstream e(err_file), o(out_file);
  c.err.assign(std::istreambuf_iterator<char>(e), {});
  c.out.assign(std::istreambuf_iterator<char>(o), {});
  return c;
}

constexpr const char* kNoBounds = R"(, "limits": {"time": "876000h", "events": 1000000000000000, "records": 1000000000000})";

}  // namespace

TEST_CASE("tcpsim run out of memory exits 3 with a message, without aborting", "[cli][limits][oom]") {
  const fs::path dir = dir_for("oom-run");
  const fs::path file = write(dir / "send.json", send_1tib(kNoBounds));
  const ChildResult c = run_limited({"run", "-q", file.string()}, std::size_t{192} << 20, dir);
  INFO("signal " << c.signal << "\n" << c.err);
  REQUIRE(c.exited);
  CHECK(c.code == 3);
  CHECK(c.err == "tcpsim: out of memory while running " + file.string() +
                     "; bound the trace kept in memory with --max-records N\n");
}

TEST_CASE("tcpsim check out of memory in a worker thread makes that case ERROR and exits 3", "[cli][limits][oom]") {
  const fs::path dir = dir_for("oom-check");
  const fs::path in = dir / "in";
  fs::create_directories(in);
  write(in / "a-ok.json", kOk);
  const fs::path grow = write(in / "b-send.json", send_1tib(kNoBounds));
  const ChildResult c = run_limited({"check", "-j", "2", in.string()}, std::size_t{192} << 20, dir);
  INFO("signal " << c.signal << "\n" << c.out << c.err);
  REQUIRE(c.exited);
  CHECK(c.code == 3);
  CHECK_THAT(c.out, Catch::Contains("PASS    a-ok"));
  CHECK_THAT(c.out, Catch::Contains("ERROR   b-send") &&
                        Catch::Contains("out of memory while running " + grow.string()));
}
#endif
