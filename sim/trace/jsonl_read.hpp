// Reading a JSON Lines trace back: the reverse of to_json (jsonl.hpp), record kind by record
// kind, so that a trace written by `tcpsim run --trace` (or `tcpsim check --out`) can be compared,
// drawn and checked like a run's own. Writing the trace read back gives the same lines.
//
// The reader is strict, as the scenario loader is: every line is one JSON object with the fields
// its kind writes and no others, records numbered 0, 1, 2, ... in order. The first line may be
// the metadata line instead, {"meta":{"source":"kernel",...}} with string values only; it sets
// the trace's metadata in its key order, and records are still numbered from 0 after it. The first line that
// breaks a rule stops the read with a message naming file:line (and the column for bad JSON),
// the field as a JSON pointer, what was expected and what was found.
#pragma once

#include <istream>
#include <optional>
#include <string>

#include "sim/trace/trace.hpp"

namespace tcpsim::trace {

struct JsonlError {
  std::string file;
  std::size_t line = 0;    // from 1
  std::size_t column = 0;  // from 1; 0 when the line is valid JSON and a field is wrong
  std::string pointer;     // the field ("/seq", "/options/mss"); "" for the line as a whole
  std::string message;     // what was expected, and what was found
  // "trace.jsonl:3: /seq: expected an unsigned integer up to 4294967295, found \"x\""
  std::string to_string() const;
};

struct JsonlRead {
  std::optional<Trace> trace;  // set when every line was read
  std::optional<JsonlError> error;
};

// Reads every record of `in`; `file_name` names it in errors. Node names are registered in the
// order they first appear (a trace file does not list the routers nobody mentions).
JsonlRead read_jsonl(std::istream& in, const std::string& file_name);
// The same for a file; a file that cannot be opened is an error at line 0.
JsonlRead read_jsonl_file(const std::string& path);

}  // namespace tcpsim::trace
