// The command-line side of captures: tcpsim run --pcap / --capture-at, and check --out.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/app.hpp"
#include "tests/pcap/read_back.hpp"

namespace fs = std::filesystem;
using namespace tcpsim::pcap::test;

namespace {

struct Result {
  int code;
  std::string out, err;
};

Result cli(std::vector<std::string> args) {
  args.insert(args.begin(), "tcpsim");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = tcpsim::cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

std::string scenario(const std::string& rel) { return std::string(TCPSIM_SOURCE_DIR) + "/scenarios/" + rel; }

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("tcpsim-pcap-cli-test-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("tcpsim run --pcap writes a capture and names it in the summary") {
  const fs::path dir = temp_dir("run");
  const std::string file = (dir / "lost-syn.pcap").string();
  const Result r = cli({"run", scenario("loss/lost-syn.json"), "-q", "--pcap", file});
  CHECK(r.code == 0);
  CHECK(r.out.find("pcap: " + file) != std::string::npos);
  CHECK(read_capture(file).packets.size() == 7);
  const std::string at_server = (dir / "server.pcap").string();
  CHECK(cli({"run", scenario("loss/lost-syn.json"), "-q", "--pcap", at_server, "--capture-at", "server"}).code == 0);
  CHECK(read_capture(at_server).packets.size() == 5);  // the two lost segments never reached it
  fs::remove_all(dir);
}

TEST_CASE("tcpsim run --capture-at an unknown host is bad input, exit 2, and lists the hosts") {
  const fs::path dir = temp_dir("unknown");
  const Result r = cli({"run", scenario("loss/lost-syn.json"), "-q", "--pcap", (dir / "x.pcap").string(), "--capture-at", "sever"});
  CHECK(r.code == 2);
  CHECK(r.err == "tcpsim run: --capture-at: no host named \"sever\" (hosts: client, server)\n");
  CHECK_FALSE(fs::exists(dir / "x.pcap"));
  fs::remove_all(dir);
}

TEST_CASE("tcpsim run --capture-at without --pcap is a usage error") {
  CHECK(cli({"run", scenario("loss/lost-syn.json"), "-q", "--capture-at", "server"}).code == 2);
}

TEST_CASE("tcpsim run --pcap into a missing directory is bad input, exit 2") {
  const Result r = cli({"run", scenario("loss/lost-syn.json"), "-q", "--pcap", "/nonexistent-dir/x.pcap"});
  CHECK(r.code == 2);
  CHECK(r.err.find("tcpsim run: --pcap: cannot write \"/nonexistent-dir/x.pcap\"") == 0);
}

TEST_CASE("tcpsim check --out writes capture.pcap beside each scenario's trace") {
  const fs::path dir = temp_dir("check");
  const Result r = cli({"check", "-q", "-j", "1", "--out", dir.string(), scenario("loss/lost-syn.json"),
                        scenario("net/fault-rules.json")});
  CHECK(r.code == 0);
  CHECK(read_capture((dir / "lost-syn" / "capture.pcap").string()).packets.size() == 7);
  CHECK(read_capture((dir / "fault-rules" / "capture.pcap").string()).packets.size() == 10);
  CHECK(fs::exists(dir / "lost-syn" / "trace.jsonl"));
  fs::remove_all(dir);
}
