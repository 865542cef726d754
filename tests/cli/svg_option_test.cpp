// tcpsim run --svg: the sequence diagram written beside the ladder.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/cli/app.hpp"

namespace fs = std::filesystem;

namespace {

int run_tcpsim(std::vector<std::string> args, std::string* out, std::string* err) {
  args.insert(args.begin(), "tcpsim");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  std::ostringstream o, e;
  const int code = tcpsim::cli::run_cli(static_cast<int>(argv.size()), argv.data(), o, e);
  *out = o.str();
  *err = e.str();
  return code;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace

TEST_CASE("run with svg writes the sequence diagram with the scenario name and one line per segment", "[cli][svg]") {
  const fs::path dir = fs::temp_directory_path() / "tcpsim-svg-option-test";
  fs::create_directories(dir);
  const fs::path svg = dir / "fault-rules.svg";
  fs::remove(svg);
  std::string out, err;
  const std::string file = std::string(TCPSIM_SOURCE_DIR) + "/scenarios/net/fault-rules.json";
  REQUIRE(run_tcpsim({"run", "-q", "--svg", svg.string(), file}, &out, &err) == 0);
  CHECK(err.empty());
  CHECK(out.find("diagram: " + svg.string()) != std::string::npos);
  std::ifstream in(svg);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.rfind("<?xml", 0) == 0);
  CHECK(text.find("fault-rules") != std::string::npos);
  CHECK(count(text, "<svg ") == 1);
  CHECK(count(text, "</svg>") == 1);
  // Every segment sent or copied is one arrow: the summary line counts them.
  const auto sent_at = out.find("segments: ");
  REQUIRE(sent_at != std::string::npos);
  const std::size_t sent = std::stoul(out.substr(sent_at + 10));
  const auto dups_at = out.find(" duplicate");
  std::size_t dups = 0;
  if (dups_at != std::string::npos) dups = std::stoul(out.substr(out.rfind(", ", dups_at) + 2));
  CHECK(count(text, "<line data-kind=\"arrow ") == sent + dups);
}

TEST_CASE("run with svg into a directory that does not exist fails as bad input", "[cli][svg]") {
  std::string out, err;
  const std::string file = std::string(TCPSIM_SOURCE_DIR) + "/scenarios/net/fault-rules.json";
  CHECK(run_tcpsim({"run", "-q", "--svg", "/nonexistent-dir/x.svg", file}, &out, &err) == 2);
  CHECK(err.find("--svg: cannot write \"/nonexistent-dir/x.svg\": No such file or directory") != std::string::npos);
}
