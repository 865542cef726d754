// Helpers for tests that call the CLI in-process: argv in, exit code and both streams out.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "sim/cli/app.hpp"

namespace cli_support {

struct Result {
  int code;
  std::string out;
  std::string err;
};

inline Result cli(std::vector<std::string> args) {
  args.insert(args.begin(), "tcpsim");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = tcpsim::cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

inline std::string scenario(const std::string& rel) { return std::string(TCPSIM_SOURCE_DIR) + "/scenarios/" + rel; }

// A file in a directory of this process's own (suites in other build trees may run at once).
inline std::filesystem::path temp_file(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("tcpsim-cli-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace cli_support
