#include "sim/scenario/batch.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <exception>
#include <mutex>
#include <new>
#include <set>
#include <system_error>
#include <thread>

#include <nlohmann/json.hpp>

#include "sim/scenario/fingerprint.hpp"
#include "sim/scenario/world.hpp"
#include "sim/trace/output_file.hpp"
#include "sim/trace/jsonl.hpp"

namespace tcpsim::scenario {

namespace fs = std::filesystem;

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::Pass: return "PASS";
    case Outcome::Fail: return "FAIL";
    case Outcome::Invalid: return "INVALID";
    case Outcome::Error: return "ERROR";
    case Outcome::Limit: return "LIMIT";
  }
  return "?";
}

std::vector<std::string> CaseResult::failure_lines() const {
  std::vector<std::string> out;
  for (const Diagnostic& d : load_errors) out.push_back(d.to_string());
  for (const Failure& f : verdict.failures) {
    std::string l = f.pointer + ": " + f.message;
    if (f.record) l += " [record #" + std::to_string(*f.record) + ", t=" + sim::format_seconds(*f.time) + " s]";
    out.push_back(l);
  }
  if (fingerprint_failure) out.push_back("/fingerprint: " + *fingerprint_failure);
  if (bound) out.push_back(bound->what() + "; " + bound->how_to_raise(true));
  if (!error.empty()) out.push_back(error);
  return out;
}

std::vector<BatchInput> collect_scenarios(const std::vector<fs::path>& paths, std::vector<std::string>& missing) {
  std::vector<BatchInput> out;
  std::set<fs::path> seen;
  auto add = [&](const fs::path& file, const fs::path& root) {
    const fs::path canon = fs::weakly_canonical(file);
    if (!seen.insert(canon).second) return;
    std::string id = file.lexically_relative(root).replace_extension().generic_string();
    if (id.empty() || id.starts_with("..")) id = file.stem().string();
    out.push_back({file, id});
  };
  for (const fs::path& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> files;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) add(f, p);
    } else if (fs::exists(p, ec)) {
      add(p, p.parent_path());
    } else {
      missing.push_back(p.string());
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const BatchInput& a, const BatchInput& b) { return a.id < b.id; });
  return out;
}

namespace {

// The first output error of a case is its error; later ones add nothing new.
void note_write(CaseResult& r, const std::string& why) {
  if (why.empty()) return;
  r.write_failed = true;
  if (r.error.empty()) r.error = why;
}

CaseResult run_one(const BatchInput& in, const BatchOptions& opt, const LadderPrinter& ladder) {
  CaseResult r;
  r.file = in.file;
  r.id = in.id;
  const auto start = std::chrono::steady_clock::now();
  try {
    LoadResult loaded = load_file(in.file);
    if (!loaded.ok()) {
      r.outcome = Outcome::Invalid;
      r.load_errors = std::move(loaded.errors);
      return r;
    }
    r.name = loaded.scenario->name;
    r.description = loaded.scenario->description;
    const std::optional<std::string> fingerprint = loaded.scenario->fingerprint;
    RunOptions run_options;
    run_options.limits = opt.limits;
    World world(std::move(*loaded.scenario), run_options);
    std::unique_ptr<trace::OutputFile> trace_file;
    std::unique_ptr<trace::JsonlSink> sink;
    fs::path dir;
    if (!opt.out_dir.empty()) {
      dir = opt.out_dir / in.id;
      fs::create_directories(dir);
      trace_file = std::make_unique<trace::OutputFile>(dir / "trace.jsonl");
      sink = std::make_unique<trace::JsonlSink>(trace_file->stream());
      world.add_sink(sink.get());
    }
    world.run();
    if (trace_file) note_write(r, trace_file->close());
    r.bound = world.bound_hit();
    if (!dir.empty() && opt.write_capture && r.error.empty())
      note_write(r, opt.write_capture(world.trace(), dir / "capture.pcap"));
    if (!dir.empty() && opt.write_diagram && r.error.empty() && !r.bound)
      note_write(r, opt.write_diagram(world.trace(), r.name, dir / "diagram.svg"));
    r.events = world.scheduler().executed();
    r.sim_seconds = world.scheduler().now().seconds();
    r.segments = world.trace().segments().sent;
    if (r.bound) {
      // An incomplete run: its expectations and fingerprint would only report the missing end.
      r.outcome = r.error.empty() ? Outcome::Limit : Outcome::Error;
    } else {
      r.verdict = check(world);
      const std::vector<std::string> canonical = canonical_trace(world.trace());
      if (opt.bless) {
        std::string err;
        const std::string fp = fingerprint_of(canonical);
        std::string golden;
        for (const auto& l : canonical) golden += l + "\n";
        if (!write_fingerprint(in.file, fp, &err)) note_write(r, err.empty() ? "cannot write " + in.file.string() : err);
        else note_write(r, trace::write_file(golden_path(in.file), golden));
        r.blessed = true;
      } else if (fingerprint) {
        const FingerprintCheck c = compare_fingerprint(*fingerprint, canonical, golden_path(in.file));
        if (!c.matches) r.fingerprint_failure = c.message;
      }
      const bool failed = !r.verdict.passed() || r.fingerprint_failure || !r.error.empty();
      r.outcome = !r.error.empty() ? Outcome::Error : failed ? Outcome::Fail : Outcome::Pass;
      if (failed && ladder) r.ladder = ladder(world);
      if (!dir.empty() && failed && !r.ladder.empty()) note_write(r, trace::write_file(dir / "ladder.txt", r.ladder));
    }
    if (!dir.empty()) {
      if (r.write_failed) r.outcome = Outcome::Error;
      note_write(r, trace::write_file(dir / "summary.json", case_summary_json(r)));
      if (r.write_failed) r.outcome = Outcome::Error;
    }
  } catch (const std::bad_alloc&) {
    // The world is gone by now, and its memory with it.
    r.outcome = Outcome::Error;
    r.internal_error = true;
    r.ladder.clear();
    r.error = "out of memory while running " + in.file.string() + "; bound the trace kept in memory with --max-records N";
  } catch (const std::exception& e) {
    r.outcome = Outcome::Error;
    r.internal_error = true;
    r.error = std::string("internal error: ") + e.what();
  }
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

// run_one() for a worker thread: nothing may escape it (an exception leaving a std::thread
// terminates the process). What run_one's own handlers cannot report is reported here.
CaseResult run_case(const BatchInput& in, const BatchOptions& opt, const LadderPrinter& ladder) noexcept {
  try {
    return run_one(in, opt, ladder);
  } catch (...) {
    CaseResult r;
    try {
      r.file = in.file;
      r.id = in.id;
      r.error = "internal error while reporting the result of " + in.file.string();
    } catch (...) {
    }
    r.outcome = Outcome::Error;
    r.internal_error = true;
    return r;
  }
}

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') o += ' ';
        else o += c;
    }
  }
  return o;
}

// Names and paths come from the file system and may not be UTF-8: such bytes become U+FFFD.
std::string dump_json(const nlohmann::ordered_json& j) {
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

nlohmann::ordered_json case_json(const CaseResult& r) {
  nlohmann::ordered_json j;
  j["id"] = r.id;
  j["file"] = r.file.generic_string();
  j["name"] = r.name;
  j["description"] = r.description;
  j["verdict"] = to_string(r.outcome);
  j["expectations_checked"] = r.verdict.checked;
  j["failures"] = r.failure_lines();
  j["events"] = r.events;
  j["segments"] = r.segments;
  j["sim_end_seconds"] = r.sim_seconds;
  j["wall_seconds"] = r.wall_seconds;
  if (r.bound) {
    nlohmann::ordered_json b;
    b["bound"] = to_string(r.bound->bound);
    b["events"] = r.bound->events;
    b["records"] = r.bound->records;
    b["at_seconds"] = r.bound->at.seconds();
    b["message"] = r.bound->what();
    j["limit"] = std::move(b);
  }
  return j;
}

}  // namespace

std::string case_summary_json(const CaseResult& r) { return dump_json(case_json(r)); }

std::vector<CaseResult> run_batch(const std::vector<BatchInput>& inputs, const BatchOptions& options,
                                  const LadderPrinter& ladder, const std::function<void(const CaseResult&)>& progress) {
  std::vector<CaseResult> results(inputs.size());
  std::vector<char> done(inputs.size(), 0);
  std::mutex m;
  std::condition_variable cv;
  std::atomic<std::size_t> next{0};
  const unsigned jobs = std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(inputs.size())));
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < inputs.size();) {
      CaseResult r = run_case(inputs[i], options, ladder);
      std::lock_guard lock(m);
      results[i] = std::move(r);
      done[i] = 1;
      cv.notify_one();
    }
  };
  if (jobs <= 1) {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      results[i] = run_case(inputs[i], options, ladder);
      if (progress) progress(results[i]);
    }
    return results;
  }
  // Nothing may leave this function while a worker is joinable (std::terminate): a thread that
  // cannot be started leaves the work to the others, and an exception from `progress` (out of
  // memory while a worker holds it all) is rethrown once every worker has been joined.
  std::vector<std::thread> pool;
  pool.reserve(jobs);
  for (unsigned j = 0; j < jobs; ++j) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error&) {
      break;
    }
  }
  if (pool.empty()) worker();
  std::exception_ptr failed;
  // Report in input order as results arrive (the calling thread).
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done[i] != 0; });
    lock.unlock();
    if (!progress || failed) continue;
    try {
      progress(results[i]);
    } catch (...) {
      failed = std::current_exception();
    }
  }
  for (auto& t : pool) t.join();
  if (failed) std::rethrow_exception(failed);
  return results;
}

std::string junit_xml(const std::vector<CaseResult>& results) {
  std::size_t failures = 0, errors = 0;
  double total = 0;
  for (const auto& r : results) {
    failures += r.outcome == Outcome::Fail;
    errors += r.outcome == Outcome::Invalid || r.outcome == Outcome::Error || r.outcome == Outcome::Limit;
    total += r.wall_seconds;
  }
  char buf[64];
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::snprintf(buf, sizeof buf, "%.3f", total);
  x += "<testsuites>\n<testsuite name=\"tcpsim\" tests=\"" + std::to_string(results.size()) + "\" failures=\"" +
       std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\" time=\"" + buf + "\">\n";
  for (const auto& r : results) {
    const auto slash = r.id.rfind('/');
    const std::string cls = "scenarios" + (slash == std::string::npos ? "" : "." + r.id.substr(0, slash));
    std::snprintf(buf, sizeof buf, "%.3f", r.wall_seconds);
    x += "  <testcase classname=\"" + xml_escape(cls) + "\" name=\"" + xml_escape(r.id) + "\" time=\"" + buf + "\"";
    if (r.outcome == Outcome::Pass) {
      x += "/>\n";
      continue;
    }
    x += ">\n";
    const std::vector<std::string> lines = r.failure_lines();
    std::string body;
    for (const auto& l : lines) body += l + "\n";
    const char* tag = r.outcome == Outcome::Fail ? "failure" : "error";
    x += std::string("    <") + tag + " message=\"" + xml_escape(lines.empty() ? to_string(r.outcome) : lines.front()) +
         "\">" + xml_escape(body + (r.ladder.empty() ? "" : "\n" + r.ladder)) + "</" + tag + ">\n";
    x += "  </testcase>\n";
  }
  x += "</testsuite>\n</testsuites>\n";
  return x;
}

std::string summary_json(const std::vector<CaseResult>& results) {
  nlohmann::ordered_json j;
  std::size_t pass = 0, fail = 0, invalid = 0, error = 0, limit = 0;
  nlohmann::ordered_json cases = nlohmann::ordered_json::array();
  for (const auto& r : results) {
    pass += r.outcome == Outcome::Pass;
    fail += r.outcome == Outcome::Fail;
    invalid += r.outcome == Outcome::Invalid;
    error += r.outcome == Outcome::Error;
    limit += r.outcome == Outcome::Limit;
    cases.push_back(case_json(r));
  }
  j["scenarios"] = results.size();
  j["passed"] = pass;
  j["failed"] = fail;
  j["invalid"] = invalid;
  j["errors"] = error;
  j["limited"] = limit;
  j["results"] = std::move(cases);
  return dump_json(j);
}

}  // namespace tcpsim::scenario
