// Batch runs: many scenario files, each loaded, run and checked (expectations and fingerprint),
// in parallel, with results that do not depend on the number of jobs or the order of the files.
//
// run_batch() is what `tcpsim check` and the CTest suite use. Files are sorted by path; each
// is run on its own World by one worker; results come back in that sorted order. Writers for
// the per-scenario output directory and JUnit XML are here too, so every front end writes the
// same files; the HTML page is in report_html.hpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/expect.hpp"
#include "sim/scenario/limits.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::scenario {

struct BatchOptions {
  unsigned jobs = 1;
  std::filesystem::path out_dir;  // empty: write nothing
  bool bless = false;             // rewrite fingerprints (and .trace files) instead of checking them
  Limits limits;                  // bounds over every scenario's own "limits"
  // With out_dir: writes the run's packet capture to `file` (<out_dir>/<id>/capture.pcap) and
  // returns an error message, empty on success. The CLI fills it with the pcap writer, so this
  // layer needs no libpcap; left empty, no capture is written.
  std::function<std::string(const trace::Trace&, const std::filesystem::path& file)> write_capture;
  // The same for the sequence diagram (<out_dir>/<id>/diagram.svg), filled with the SVG writer.
  std::function<std::string(const trace::Trace&, const std::string& title, const std::filesystem::path& file)>
      write_diagram;
};

// Limit: the run stopped at a bound (sim/scenario/limits.hpp) before its end; its expectations
// and fingerprint are not checked.
enum class Outcome : std::uint8_t { Pass, Fail, Invalid, Error, Limit };
const char* to_string(Outcome o);  // "PASS", "FAIL", "INVALID", "ERROR", "LIMIT"

struct CaseResult {
  std::filesystem::path file;
  std::string id;  // path relative to the batch root, without ".json" ("close/lost-final-ack")
  std::string name, description;
  Outcome outcome = Outcome::Error;
  std::vector<Diagnostic> load_errors;
  Verdict verdict;
  std::optional<std::string> fingerprint_failure;
  bool blessed = false;
  std::string error;  // Outcome::Error: what went wrong
  bool write_failed = false;     // an output file (trace, capture, diagram, summary, fingerprint) was not written
  bool internal_error = false;   // an exception (a bug, or out of memory) ended the case
  std::optional<BoundHit> bound; // Outcome::Limit: where the run stopped
  double wall_seconds = 0;
  std::uint64_t events = 0;
  double sim_seconds = 0;
  std::uint64_t segments = 0;
  std::string ladder;  // the terminal ladder, kept for failures
  std::vector<std::string> failure_lines() const;  // one line per problem, for reports
};

// Every *.json under each directory (recursively), and each file given, sorted and without
// duplicates; `id`s are relative to the directory given (or the file's parent). A path that does
// not exist is reported in `missing`.
struct BatchInput {
  std::filesystem::path file;
  std::string id;
};
std::vector<BatchInput> collect_scenarios(const std::vector<std::filesystem::path>& paths,
                                          std::vector<std::string>& missing);

// Prints a ladder of a finished run (the CLI's, passed in to keep this layer free of it).
using LadderPrinter = std::function<std::string(const class World&)>;

// Runs the cases; `progress` is called once per case in input order as soon as it and every
// case before it are done (from the calling thread).
std::vector<CaseResult> run_batch(const std::vector<BatchInput>& inputs, const BatchOptions& options,
                                  const LadderPrinter& ladder,
                                  const std::function<void(const CaseResult&)>& progress = {});

// JUnit XML (one testsuite "tcpsim", a testcase per scenario, classname = its folder).
std::string junit_xml(const std::vector<CaseResult>& results);
// The batch summary as JSON text (counts and one entry per scenario).
std::string summary_json(const std::vector<CaseResult>& results);
std::string case_summary_json(const CaseResult& r);

}  // namespace tcpsim::scenario
