// File-level checks of load_file: missing files, directories, oversized and empty files.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "loader_support.hpp"

using namespace tcpsim::scenario;
using namespace tcpsim::scenario::testing;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("tcpsim-loader-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

 private:
  fs::path path_;
};

Diagnostic only_file_error(const LoadResult& r, const fs::path& path) {
  INFO(report(r));
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  const Diagnostic& d = r.errors[0];
  CHECK(d.file == path.string());
  CHECK(d.line == 0);
  CHECK(d.to_string().starts_with(path.string() + ": error: "));
  return d;
}

}  // namespace

TEST_CASE("A file that does not exist cannot be opened", "[loader]") {
  const TempDir dir;
  const fs::path missing = dir.path() / "no-such-scenario.json";
  const Diagnostic d = only_file_error(load_file(missing), missing);
  CHECK(d.message == "cannot open " + missing.string() + ": No such file or directory");
}

TEST_CASE("A directory given as a scenario file is rejected", "[loader]") {
  const TempDir dir;
  const Diagnostic d = only_file_error(load_file(dir.path()), dir.path());
  CHECK_THAT(d.message, Catch::Contains("is a directory; expected a scenario .json file"));
}

TEST_CASE("A 50 MB file is rejected from its size without being read", "[loader]") {
  const TempDir dir;
  const fs::path big = dir.path() / "huge.json";
  std::ofstream(big, std::ios::binary) << "{";
  fs::resize_file(big, 50ull * 1000 * 1000);  // sparse: takes no disk space and no time
  const auto start = std::chrono::steady_clock::now();
  const LoadResult r = load_file(big);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const Diagnostic d = only_file_error(r, big);
  CHECK(d.message == "the file is 47.6 MiB (50000000 bytes); a scenario file may be at most 4 MiB (4194304 bytes)");
  CHECK(elapsed < std::chrono::milliseconds(200));  // reading and parsing 50 MB would take far longer
}

TEST_CASE("An empty file on disk is rejected as empty", "[loader]") {
  const TempDir dir;
  const fs::path empty = dir.write("empty.json", "");
  CHECK(only_file_error(load_file(empty), empty).message == "the file is empty; expected a JSON object");
  const fs::path blank = dir.write("blank.json", "\n\n   \n");
  CHECK_THAT(only_file_error(load_file(blank), blank).message, Catch::Contains("the file is empty"));
}

TEST_CASE("A file's errors name the file as it was given", "[loader]") {
  const TempDir dir;
  const fs::path bad = dir.write("bad.json", "{\n  \"name\": 5\n}\n");
  const LoadResult r = load_file(bad);
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].to_string() == bad.string() + ":1:1: error: /hosts: missing required field \"hosts\" "
                                                  "(a non-empty array of hosts like [{\"name\": \"client\", \"ip\": \"10.0.0.1\"}])");
  CHECK(r.errors[1].to_string() == bad.string() + ":2:11: error: /name: expected a non-empty string, found number 5");
}

TEST_CASE("A valid file loads and records where it came from", "[loader]") {
  const TempDir dir;
  const fs::path good = dir.write("good.json", R"({"name": "good", "hosts": [{"name": "a", "ip": "10.0.0.1"}]})");
  const Scenario s = loaded(load_file(good));
  CHECK(s.name == "good");
  CHECK(s.source == good.string());
}

TEST_CASE("Text longer than the size limit is rejected by load_string too", "[loader]") {
  const std::string text(kMaxScenarioBytes + 1, ' ');
  const Diagnostic d = only_error(load(text));
  CHECK_THAT(d.message, Catch::Contains("4.0 MiB (4194305 bytes)") && Catch::Contains("at most 4 MiB"));
}
