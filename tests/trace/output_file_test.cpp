#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "sim/trace/output_file.hpp"

namespace fs = std::filesystem;
using tcpsim::trace::OutputFile;
using tcpsim::trace::write_file;

TEST_CASE("an output file that is written and closed reports no error", "[output]") {
  const fs::path p = fs::temp_directory_path() / ("tcpsim-output-" + std::to_string(::getpid()) + ".txt");
  CHECK(write_file(p, "hello\n").empty());
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  CHECK(line == "hello");
  fs::remove(p);
}

TEST_CASE("a full disk is reported at close, naming the path", "[output]") {
  REQUIRE(fs::exists("/dev/full"));
  // Small text sits in the stream's buffer until the flush at close: the failure surfaces there.
  const std::string small = write_file("/dev/full", "x");
  CHECK_THAT(small, Catch::Contains("cannot write \"/dev/full\"") && Catch::Contains("No space left on device"));
  // Large text fails while it is written.
  OutputFile f("/dev/full");
  REQUIRE(f.open_error().empty());
  for (int i = 0; i < 10000; ++i) f.stream() << "a line of trace that does not fit\n";
  const std::string big = f.close();
  CHECK_THAT(big, Catch::Contains("cannot write \"/dev/full\""));
  CHECK(f.close() == big);  // the verdict is kept
}

TEST_CASE("a path that cannot be opened is reported at once, with the reason", "[output]") {
  OutputFile f("/nonexistent-dir/x/trace.jsonl");
  CHECK_THAT(f.open_error(), Catch::Contains("cannot write \"/nonexistent-dir/x/trace.jsonl\"") &&
                                 Catch::Contains("No such file or directory"));
  CHECK(f.close() == f.open_error());
  CHECK_THAT(write_file("/nonexistent-dir/y", "text"), Catch::Contains("No such file or directory"));
}
