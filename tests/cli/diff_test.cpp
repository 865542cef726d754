// `tcpsim diff` through the CLI: a kernel trace against the model, scenario against scenario, the
// first divergence, the state paths, the tolerance, --windows, --context, and the exit codes.
//
// tests/cli/data/normal-close-kernel.jsonl is scenarios/linux-profile/normal-close-linux.json as
// a live run on kernel sockets records it: a metadata line naming the kernel, other ISNs, the
// kernel's windows and options, tens of microseconds of noise, and B's application closing its
// socket 20 ms later than the model's (so rows 14 on are 20 ms later; A leaves TIME-WAIT where
// the timer wheel of a HZ=250 kernel puts it, 61.44 s with time 0 on a tick edge, plus those
// 20 ms). Its 19 rows:
//    1 B LISTEN            6 A ESTABLISHED      11 B CLOSE-WAIT     16 A TIME-WAIT
//    2 A SYN-SENT          7 ACK                12 ACK              17 ACK
//    3 SYN                 8 B ESTABLISHED      13 A FIN-WAIT-2     18 B CLOSED
//    4 B SYN-RECEIVED      9 A FIN-WAIT-1       14 B LAST-ACK       19 A CLOSED
//    5 SYN,ACK            10 FIN,ACK            15 FIN,ACK
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/trace/jsonl.hpp"
#include "sim/trace/jsonl_read.hpp"
#include "tests/cli/cli_support.hpp"

using cli_support::cli;
using cli_support::scenario;

namespace {

std::string kernel_trace() { return std::string(TCPSIM_SOURCE_DIR) + "/tests/cli/data/normal-close-kernel.jsonl"; }

// normal-close-linux with every FIN from B dropped: B retransmits it until it gives up, and A
// leaves FIN-WAIT-2 for CLOSED on its timeout instead of going through TIME-WAIT.
std::string fin_lost_scenario() {
  std::ifstream in(scenario("linux-profile/normal-close-linux.json"));
  nlohmann::json j = nlohmann::json::parse(in);
  j.erase("expect");
  j.erase("fingerprint");
  j["faults"] = nlohmann::json::parse(R"([{"action": "drop", "match": {"from": "B", "flags_include": "FIN"}}])");
  const auto path = cli_support::temp_file("normal-close-fin-lost.json");
  cli_support::write_text(path, j.dump(2));
  return path.string();
}

// The lines of `text` from the one that starts with `first` up to the next blank line.
std::vector<std::string> block(const std::string& text, const std::string& first) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    inside = inside || line.starts_with(first);
    if (inside && line.empty()) break;
    if (inside) lines.push_back(line);
  }
  return lines;
}

const std::string kPathA = "CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED";
const std::string kPathB = "CLOSED LISTEN SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED";

// The STATE PATHS block against the kernel trace: B's path the same on both sides, A's as given.
std::vector<std::string> state_paths(const std::string& a_verdict, const std::string& a_model_path) {
  return {"STATE PATHS per endpoint (host and address)",
          "  B 10.0.0.2: same",
          "    kernel: " + kPathB,
          "    model:  " + kPathB,
          "  A 10.0.0.1: " + a_verdict,
          "    kernel: " + kPathA,
          "    model:  " + a_model_path};
}

}  // namespace

TEST_CASE("A kernel trace within 35 ms of the model agrees: sides named by origin, each path the same, exit 0",
          "[cli][diff]") {
  const auto r = cli({"diff", kernel_trace(), scenario("linux-profile/normal-close-linux.json")});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("kernel: " + kernel_trace() + ": Linux kernel 6.18.44, HZ 250 (a trace, 26 records)\n" +
                                      "model: " + scenario("linux-profile/normal-close-linux.json") +
                                      ": model (seed 1, profile linux)\n"));
  CHECK_THAT(r.out, Catch::Contains("\nVERDICT: the runs agree: 7 segments and 12 state changes, times within 35ms, "
                                    "windows and PSH not compared\n"));
  CHECK_THAT(r.out, !Catch::Contains("FIRST DIVERGENCE"));
  CHECK(block(r.out, "STATE PATHS") == state_paths("same", kPathA));
  CHECK_THAT(r.out, Catch::Contains("\nLADDERS\n  kernel "));
  CHECK_THAT(r.out, Catch::EndsWith("\nsummary: kernel and model agree; rows: 19 same, 0 differ, 0 only in kernel, 0 only in "
                                    "model; times within 35ms, windows and PSH not compared\n"));
}

// tests/cli/data/normal-close-kernel-recorded.jsonl is normal-close-linux as `tcpsim check
// --kernel` recorded it on Linux 6.18.44 (HZ 250), unedited: its time 0 lay 3.197 ms into the tick
// at jiffies 4302795228, and A's TIME-WAIT ended at 61.590 s, where the timer wheel put it.
TEST_CASE("Against a kernel trace that recorded its tick phase, the model runs on it, in either order", "[cli][diff]") {
  const std::string recorded = std::string(TCPSIM_SOURCE_DIR) + "/tests/cli/data/normal-close-kernel-recorded.jsonl";
  const std::string model = scenario("linux-profile/normal-close-linux.json");
  for (const bool kernel_first : {true, false}) {
    const auto r = kernel_first ? cli({"diff", recorded, model}) : cli({"diff", model, recorded});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("model: " + model +
                                      ": model (seed 1, profile linux, the kernel's tick phase (jiffies 4302795228 + 3.197 ms), "
                                      "links +114 us (the relay's median lateness))\n"));
    CHECK_THAT(r.out, Catch::Contains("VERDICT: the runs agree: 7 segments and 12 state changes"));
    // A leaves TIME-WAIT on the kernel's tick: 61.581 s, 10 ms from the kernel's 61.590 s.
    CHECK_THAT(r.out, Catch::Contains("61.580803") && Catch::Contains("61.590487"));
  }
  // The same trace without its phase: the model's time 0 on a tick edge puts A's CLOSED at
  // 61.44 s, 150 ms from the kernel's.
  std::ifstream in(recorded);
  std::stringstream text;
  text << in.rdbuf();
  std::string without = text.str();
  for (const std::string key : {"\"jiffies_at_start\":\"4302795228\",", "\"tick_offset_ns\":\"3196831\","}) {
    const auto at = without.find(key);
    REQUIRE(at != std::string::npos);
    without.erase(at, key.size());
  }
  const auto file = std::filesystem::temp_directory_path() / ("tcpsim-no-phase-" + std::to_string(::getpid()) + ".jsonl");
  std::ofstream(file) << without;
  const auto r = cli({"diff", file.string(), model});
  std::filesystem::remove(file);
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains(": model (seed 1, profile linux, links +114 us (the relay's median lateness))\n"));
  CHECK_THAT(r.out, Catch::Contains("  how:    time 61.590487 s vs 61.440000 s\n"));
}

TEST_CASE("A 20 ms shift agrees at 35 ms and differs at 10 ms, from the row where it starts", "[cli][diff]") {
  const std::string model = scenario("linux-profile/normal-close-linux.json");
  CHECK(cli({"diff", kernel_trace(), model, "--tolerance", "35ms"}).code == 0);
  CHECK(cli({"diff", kernel_trace(), model, "--tolerance", "25ms"}).code == 0);
  const auto r = cli({"diff", kernel_trace(), model, "--tolerance", "10ms"});
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK(block(r.out, "FIRST DIVERGENCE") ==
        std::vector<std::string>{"FIRST DIVERGENCE at row 14 of 19", "  kernel: B:80 enters LAST-ACK  [t=0.180027 s, #18]",
                                 "  model:  B:80 enters LAST-ACK  [t=0.160000 s, #37]",
                                 "  how:    time 0.180027 s vs 0.160000 s"});
  CHECK_THAT(r.out, Catch::Contains("VERDICT: the runs differ: 13 same, 6 differ, 0 only in kernel, 0 only in model\n"));
  // The states are the same; only their times are not.
  CHECK_THAT(r.out, Catch::Contains("  A 10.0.0.1: same\n") && Catch::Contains("  B 10.0.0.2: same\n"));
  // "0" is exact: the kernel's noise shows from the 2nd row.
  const auto exact = cli({"diff", kernel_trace(), model, "--tolerance", "0"});
  CHECK(exact.code == 1);
  CHECK_THAT(exact.out,
             Catch::Contains("exact times, windows and PSH not compared") && Catch::Contains("FIRST DIVERGENCE at row 2 of 19\n"));
}

TEST_CASE("Windows differ only with --windows", "[cli][diff]") {
  const auto r = cli({"diff", kernel_trace(), scenario("linux-profile/normal-close-linux.json"), "--windows"});
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("times within 35ms, windows compared, PSH not compared\n"));
  CHECK(block(r.out, "FIRST DIVERGENCE") ==
        std::vector<std::string>{"FIRST DIVERGENCE at row 3 of 19", "  kernel: A sends SYN seq=0  [t=0.001083 s, #2]",
                                 "  model:  A sends SYN seq=0  [t=0.001000 s, #4]", "  how:    win 64240 vs 65535"});
  // compare keeps comparing windows, and names a trace's origin in its header.
  const auto c = cli({"compare", kernel_trace(), scenario("linux-profile/normal-close-linux.json"), "--tolerance", "35ms"});
  CHECK(c.code == 1);
  CHECK_THAT(c.out, Catch::Contains(": Linux kernel 6.18.44, HZ 250 (a trace, 26 records)\n") &&
                        Catch::Contains("    ^ win 64240 vs 65535\n"));
}

TEST_CASE("The first divergence names its row, both sides' events, how they differ and the rows before it", "[cli][diff]") {
  const auto r = cli({"diff", kernel_trace(), fin_lost_scenario()});
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  const auto divergence = block(r.out, "FIRST DIVERGENCE");
  CHECK(divergence == std::vector<std::string>{
                          "FIRST DIVERGENCE at row 15 of 28", "  kernel: B sends FIN,ACK seq=1 ack=2  [t=0.180027 s, #19]",
                          "  model:  B sends FIN,ACK seq=1 ack=2 (lost: fault rule 0)  [t=0.160000 s, #38]",
                          "  how:    fate delivered vs lost: fault rule 0"});
  // Then the 3 rows before it and the row, both sides on one line, the row marked and explained.
  const auto context = block(r.out, "the 3 rows before it, and the row:");
  REQUIRE(context.size() == 8);
  CHECK_THAT(context[3], Catch::Contains("ACK seq=1 ack=2") && Catch::Contains("0.110052") && Catch::Contains("0.112000"));
  CHECK_THAT(context[4], Catch::Contains("A FIN-WAIT-2"));
  CHECK_THAT(context[5], Catch::Contains("B LAST-ACK"));
  CHECK_THAT(context[6], Catch::StartsWith("!    19 0.180027 ") && Catch::EndsWith("FIN,ACK seq=1 ack=2 lost"));
  CHECK(context[7] == "    ^ fate delivered vs lost: fault rule 0");
  CHECK(block(r.out, "STATE PATHS") ==
        state_paths("differs at the 6th state", "CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 CLOSED"));
  // The model's B re-sends its lost FIN twice, first as a tail loss probe: 9 rows only in it.
  CHECK_THAT(r.out, Catch::EndsWith("\nsummary: kernel and model differ from row 15; rows: 14 same, 3 differ, 2 only in kernel, "
                                    "9 only in model; times within 35ms, windows and PSH not compared\n"));
}

TEST_CASE("The number of context rows before the first divergence is set by --context", "[cli][diff]") {
  const auto one = cli({"diff", kernel_trace(), fin_lost_scenario(), "--context", "1"});
  const auto context = block(one.out, "the row before it, and the row:");
  REQUIRE(context.size() == 6);
  CHECK_THAT(context[3], Catch::Contains("B LAST-ACK"));
  const auto none = cli({"diff", kernel_trace(), fin_lost_scenario(), "--context", "0"});
  CHECK_THAT(none.out, !Catch::Contains("before it, and the row:"));
  CHECK_THAT(none.out, Catch::Contains("  how:    fate delivered vs lost: fault rule 0\n\n  kernel "));
}

TEST_CASE("Two scenarios, rfc9293 against linux, differ only in how long A stays in TIME-WAIT", "[cli][diff]") {
  const auto r = cli({"diff", scenario("rfc9293-figures/normal-close.json"), scenario("linux-profile/normal-close-linux.json")});
  INFO(r.out << r.err);
  CHECK(r.code == 1);
  CHECK_THAT(r.out,
             Catch::Contains(": model (seed 1, profile rfc9293)\n") && Catch::Contains(": model (seed 1, profile linux)\n"));
  CHECK(block(r.out, "FIRST DIVERGENCE") ==
        std::vector<std::string>{"FIRST DIVERGENCE at row 19 of 19", "  rfc9293: A:1000 enters CLOSED  [t=240.170000 s, #56]",
                                 "  linux:   A:1000 enters CLOSED  [t=61.440000 s, #52]",
                                 "  how:     time 240.170000 s vs 61.440000 s"});
  CHECK_THAT(r.out, Catch::Contains("  A 10.0.0.1: same\n"));
}

TEST_CASE("The kernel trace reads back to the same lines, its metadata line first", "[cli][diff]") {
  const auto read = tcpsim::trace::read_jsonl_file(kernel_trace());
  REQUIRE(read.trace);
  std::ostringstream out;
  tcpsim::trace::JsonlSink sink(out);
  for (const auto& rec : read.trace->records()) sink.write(rec, *read.trace);
  CHECK(out.str() == cli_support::slurp(kernel_trace()));
}

TEST_CASE("Bad input to diff is exit 2 with one line naming the file and what is wrong", "[cli][diff]") {
  const std::string model = scenario("linux-profile/normal-close-linux.json");
  const auto missing = cli({"diff", "/nonexistent.jsonl", model});
  CHECK(missing.code == 2);
  CHECK(missing.err == "tcpsim diff: /nonexistent.jsonl: cannot open the file\n");

  const auto no_scenario = cli({"diff", "/nonexistent.json", kernel_trace()});
  CHECK(no_scenario.code == 2);
  CHECK_THAT(no_scenario.err, Catch::StartsWith("/nonexistent.json: error: cannot open /nonexistent.json"));

  const auto late_meta = cli_support::temp_file("late-meta.jsonl");
  cli_support::write_text(late_meta,
                          "{\"i\":0,\"t_ns\":0,\"kind\":\"note\",\"text\":\"hello\"}\n{\"meta\":{\"source\":\"kernel\"}}\n");
  const auto meta = cli({"diff", model, late_meta.string()});
  CHECK(meta.code == 2);
  CHECK(meta.err == "tcpsim diff: " + late_meta.string() +
                        ":2: /meta: expected metadata only on the first line, before record 0; found it after record 0\n");

  const auto kind = cli({"diff", model, "/tmp/trace.txt"});
  CHECK(kind.code == 2);
  CHECK(kind.err == "tcpsim diff: /tmp/trace.txt: expected a trace (.jsonl) or a scenario (.json)\n");

  const auto tolerance = cli({"diff", kernel_trace(), model, "--tolerance", "soon"});
  CHECK(tolerance.code == 2);
  CHECK_THAT(tolerance.err, Catch::StartsWith("tcpsim diff: --tolerance: "));
  CHECK(cli({"diff", kernel_trace()}).code == 2);
  CHECK(cli({"diff", kernel_trace(), model, "--context", "-1"}).code == 2);
}

TEST_CASE("Against a kernel run cut short by its max real time, the model stops where the kernel's trace does", "[cli][diff]") {
  // The recorded normal close without its last record (A's TIME-WAIT ending at 61.59 s), as if the
  // run had ended at its max real time after B closed: the model, cut there too, agrees; run to
  // its end it would show A's TIME-WAIT ending as a row the kernel never reached.
  std::ifstream in(std::string(TCPSIM_SOURCE_DIR) + "/tests/cli/data/normal-close-kernel-recorded.jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 37);
  lines.pop_back();
  const auto end = lines[0].find("\"end\":\"nothing left to happen\"");
  REQUIRE(end != std::string::npos);
  std::string cut = lines[0];
  cut.replace(end, std::string("\"end\":\"nothing left to happen\"").size(), "\"end\":\"max real time\"");
  const auto file = std::filesystem::temp_directory_path() / ("tcpsim-cut-" + std::to_string(::getpid()) + ".jsonl");
  const auto write = [&](const std::string& meta) {
    std::ofstream out(file);
    out << meta << "\n";
    for (std::size_t i = 1; i < lines.size(); ++i) out << lines[i] << "\n";
  };
  const std::string model = scenario("linux-profile/normal-close-linux.json");
  write(cut);
  const auto r = cli({"diff", file.string(), model});
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("VERDICT: the runs agree"));
  write(lines[0]);  // the same records, said to have ended with nothing left to happen
  const auto whole = cli({"diff", file.string(), model});
  std::filesystem::remove(file);
  INFO(whole.out << whole.err);
  CHECK(whole.code == 1);
  CHECK_THAT(whole.out, Catch::Contains("1 only in model"));
}
