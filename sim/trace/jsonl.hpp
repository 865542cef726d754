// JSON Lines: one JSON object per trace record, after a metadata line when the trace has
// metadata. The schema is documented in README.md ("Trace records") and results/README.md.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "sim/trace/trace.hpp"

namespace tcpsim::trace {

// The JSON form of one record (the same object the JSON Lines sink writes).
nlohmann::ordered_json to_json(const Record& r, const Trace& t);
nlohmann::ordered_json to_json(const net::Segment& s);
nlohmann::ordered_json to_json(const SegmentCounts& c);
// The metadata line: {"meta":{"source":"kernel","kernel":"6.18.44"}}, keys in the trace's order.
nlohmann::ordered_json meta_json(const Trace& t);

// Writes the metadata line (when the trace has metadata) ahead of the first record, then one
// line per record.
class JsonlSink final : public Sink {
 public:
  explicit JsonlSink(std::ostream& out) : out_(out) {}
  void write(const Record& r, const Trace& t) override;
  // A trace without records still gets its metadata line.
  void finish(const Trace& t) override;

 private:
  void start(const Trace& t);
  void line(const nlohmann::ordered_json& j);

  std::ostream& out_;
  bool started_ = false;
};

}  // namespace tcpsim::trace
