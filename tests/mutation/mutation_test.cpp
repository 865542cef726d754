// Mutation test of the command line: broken variants of the bundled scenarios through
// `tcpsim validate` and `tcpsim run`.
//
//   mutation_test TCPSIM SCENARIO_DIR WORK_DIR [MUTANTS] [SEED] [JOBS]
//
// From each bundled scenario in turn, a mutant is made by one seeded edit: deleting, duplicating
// or swapping characters; a number replaced by an extreme (1e300, -1, 2^64, ...); a string
// replaced by "", a long string, control characters or a space; a member or an element dropped
// or duplicated (a duplicate key too); a value of another type. Each mutant is written to
// WORK_DIR and run through
//
//   timeout 10 tcpsim validate FILE
//   timeout 10 tcpsim run -q --until 60s FILE
//
// and must give: no exit 3 (internal error), no signal, no timeout; validate exits 0 or 2, run
// exits 0, 1 or 2, and 2 only if validate said 2; every "error:" line of an exit 2 names
// FILE:line:col. Failing mutants are kept in WORK_DIR and listed; the exit code is the number of
// failures (capped at 100). The same seed gives the same mutants on every platform.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

// splitmix64: the same sequence everywhere (std:: distributions differ between libraries).
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }
};

const std::vector<std::string> kExtremeNumbers{
    "1e300", "-1e300", "-1", "0", "18446744073709551616", "18446744073709551615", "4294967296", "65536",
    "1e19",  "-0.0",   "0.5", "1e-300", "9223372036854775808", "-9223372036854775809", "1.7976931348623157e308"};

Json extreme_string(Rng& rng) {
  switch (rng.below(7)) {
    case 0: return "";
    case 1: return std::string(5000, 'x');
    case 2: return std::string("\x01\x1b[31m\x7f", 8);
    case 3: return "a b";
    case 4: return "c1";
    case 5: return "99999999999999999999s";
    default: return "10.0.0.256";
  }
}

Json other_type(Rng& rng) {
  switch (rng.below(6)) {
    case 0: return nullptr;
    case 1: return Json::array();
    case 2: return Json::object();
    case 3: return true;
    case 4: return "x";
    default: return 0;
  }
}

// Every value in the document, by pointer (the root excluded).
void collect(const Json& v, const Json::json_pointer& at, std::vector<Json::json_pointer>& out) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      const auto child = at / it.key();
      out.push_back(child);
      collect(it.value(), child, out);
    }
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      const auto child = at / i;
      out.push_back(child);
      collect(v[i], child, out);
    }
  }
}

// One structural edit of the parsed scenario; the result is pretty-printed (so errors have
// distinct lines). Returns a description of the edit.
std::string edit_tree(Json& doc, Rng& rng, std::string& text) {
  std::vector<Json::json_pointer> all;
  collect(doc, Json::json_pointer(), all);
  if (all.empty()) return "";
  const Json::json_pointer p = rng.pick(all);
  Json& v = doc[p];
  const Json::json_pointer parent = p.parent_pointer();
  std::string what;
  switch (rng.below(6)) {
    case 0:
      if (v.is_number()) {
        // Written into the text below: the JSON library would reformat 1e300 and refuse 2^64.
        what = "number " + p.to_string() + " -> extreme";
        v = "@@NUMBER@@";
      } else {
        what = "value " + p.to_string() + " -> another type";
        v = other_type(rng);
      }
      break;
    case 1:
      what = "string " + p.to_string() + " -> odd string";
      v = extreme_string(rng);
      break;
    case 2:
      what = "drop " + p.to_string();
      doc[parent].is_object() ? static_cast<void>(doc[parent].erase(p.back()))
                              : doc[parent].erase(static_cast<std::size_t>(std::stoul(p.back())));
      break;
    case 3:
      if (doc[parent].is_array()) {
        what = "duplicate element " + p.to_string();
        doc[parent].push_back(v);
      } else {
        what = "duplicate key " + p.to_string();
        v = "@@DUPLICATE@@";
      }
      break;
    case 4:
      what = "value " + p.to_string() + " -> another type";
      v = other_type(rng);
      break;
    default:
      what = "value " + p.to_string() + " -> extreme number";
      v = "@@NUMBER@@";
      break;
  }
  text = doc.dump(2, ' ', false, Json::error_handler_t::replace);
  if (const auto at = text.find("\"@@NUMBER@@\""); at != std::string::npos) text.replace(at, 12, rng.pick(kExtremeNumbers));
  if (const auto at = text.find("\"@@DUPLICATE@@\""); at != std::string::npos) {
    const std::string key = Json(p.back()).dump();
    const std::string value = rng.below(2) ? "1" : "\"again\"";
    text.replace(at, 15, value + ",\n" + key + ": " + value);
  }
  return what;
}

// One character-level edit of the raw text.
std::string edit_text(std::string& text, Rng& rng) {
  if (text.size() < 2) return "";
  const std::size_t i = rng.below(text.size() - 1);
  switch (rng.below(3)) {
    case 0: text.erase(i, 1 + rng.below(3)); return "delete at byte " + std::to_string(i);
    case 1: text.insert(i, text.substr(i, 1 + rng.below(8))); return "duplicate at byte " + std::to_string(i);
    default: std::swap(text[i], text[i + 1]); return "swap at byte " + std::to_string(i);
  }
}

struct Outcome {
  int code = -1;        // exit code, or -1
  int signal = 0;       // the signal that ended it, or 0
  std::string output;   // stdout + stderr
};

Outcome run(const std::vector<std::string>& args, const fs::path& out_file) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  Outcome o;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    o.output = "cannot start " + args[0];
    return o;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) o.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
  std::ifstream in(out_file, std::ios::binary);
  o.output.assign(std::istreambuf_iterator<char>(in), {});
  return o;
}

// What is wrong with one mutant's runs, or "".
std::string judge(const fs::path& file, const Outcome& validate, const Outcome& run) {
  auto ended = [](const char* what, const Outcome& o) -> std::string {
    if (o.signal) return std::string(what) + " was killed by signal " + std::to_string(o.signal);
    if (o.code == 124 || o.code == 137) return std::string(what) + " did not finish within 10 s";
    if (o.code == 3) return std::string(what) + " exited 3 (internal error)";
    if (o.code < 0) return std::string(what) + " did not run";
    return "";
  };
  if (auto e = ended("validate", validate); !e.empty()) return e;
  if (auto e = ended("run", run); !e.empty()) return e;
  if (validate.code != 0 && validate.code != 2) return "validate exited " + std::to_string(validate.code);
  if (run.code > 2) return "run exited " + std::to_string(run.code);
  if ((validate.code == 2) != (run.code == 2))
    return "validate exited " + std::to_string(validate.code) + " but run exited " + std::to_string(run.code);
  // Error lines: "FILE:LINE:COL: error: ...".
  const std::string prefix = file.string() + ":";
  auto located = [&](const std::string& line) {
    if (line.rfind(prefix, 0) != 0) return false;
    std::size_t i = prefix.size();
    for (int part = 0; part < 2; ++part) {
      const std::size_t digits = i;
      while (i < line.size() && line[i] >= '0' && line[i] <= '9') ++i;
      if (i == digits || line.compare(digits, 1, "0") == 0) return false;
      if (part == 0 && (i >= line.size() || line[i++] != ':')) return false;
    }
    return line.compare(i, 9, ": error: ") == 0;
  };
  for (const Outcome* o : {&validate, &run}) {
    std::istringstream lines(o->output);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(": error: ") == std::string::npos || line.rfind("tcpsim", 0) == 0) continue;
      if (!located(line)) return "an error without file:line:col: " + line.substr(0, 300);
    }
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: mutation_test TCPSIM SCENARIO_DIR WORK_DIR [MUTANTS] [SEED] [JOBS]\n";
    return 2;
  }
  const std::string tcpsim = argv[1];
  const fs::path scenario_dir = argv[2];
  const fs::path work = argv[3];
  const std::size_t count = argc > 4 ? std::stoul(argv[4]) : 300;
  const std::uint64_t seed = argc > 5 ? std::stoull(argv[5]) : 1;
  const unsigned jobs = argc > 6 ? static_cast<unsigned>(std::stoul(argv[6])) : std::max(1u, std::thread::hardware_concurrency());

  std::vector<fs::path> sources;
  for (const auto& e : fs::recursive_directory_iterator(scenario_dir))
    if (e.is_regular_file() && e.path().extension() == ".json") sources.push_back(e.path());
  std::sort(sources.begin(), sources.end());
  if (sources.empty()) {
    std::cerr << "no scenarios under " << scenario_dir << "\n";
    return 2;
  }
  fs::remove_all(work);
  fs::create_directories(work);

  // The mutants, made up front so that they do not depend on the number of jobs.
  struct Mutant {
    fs::path file;
    std::string what;
  };
  std::vector<Mutant> mutants;
  Rng rng{seed};
  for (std::size_t i = 0; i < count; ++i) {
    const fs::path& src = sources[i % sources.size()];
    std::ifstream in(src, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    std::string what;
    if (rng.below(3) == 0) {
      what = edit_text(text, rng);
    } else {
      Json doc = Json::parse(text);
      what = edit_tree(doc, rng, text);
    }
    char name[32];
    std::snprintf(name, sizeof name, "m%04zu-", i);
    const fs::path file = work / (name + src.filename().string());
    std::ofstream(file, std::ios::binary) << text;
    mutants.push_back({file, fs::relative(src, scenario_dir).string() + ": " + what});
  }

  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::vector<std::string> failures;
  std::size_t invalid = 0;
  auto worker = [&] {
    for (std::size_t i; (i = next++) < mutants.size();) {
      const Mutant& m = mutants[i];
      const fs::path out = m.file.string() + ".out";
      const Outcome v = run({"timeout", "-s", "KILL", "10", tcpsim, "validate", m.file.string()}, out);
      const Outcome r = run({"timeout", "-s", "KILL", "10", tcpsim, "run", "-q", "--until", "60s", m.file.string()}, out);
      const std::string problem = judge(m.file, v, r);
      std::lock_guard lock(mutex);
      if (v.code == 2) ++invalid;
      if (!problem.empty()) {
        failures.push_back(m.file.filename().string() + " (" + m.what + "): " + problem);
      } else {
        fs::remove(m.file);
        fs::remove(out);
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (auto& t : threads) t.join();

  std::sort(failures.begin(), failures.end());
  for (const auto& f : failures) std::cout << "FAIL " << f << "\n";
  std::cout << mutants.size() << " mutants of " << sources.size() << " scenarios (seed " << seed << "): " << invalid
            << " rejected by validate, " << mutants.size() - invalid << " accepted, " << failures.size()
            << " failures" << (failures.empty() ? "" : "; the failing mutants are kept in " + work.string()) << "\n";
  return static_cast<int>(std::min<std::size_t>(failures.size(), 100));
}
