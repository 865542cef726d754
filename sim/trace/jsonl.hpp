// JSON Lines: one JSON object per trace record. The schema is documented in README.md
// ("Trace records") and results/README.md.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "sim/trace/trace.hpp"

namespace tcpsim::trace {

// The JSON form of one record (the same object the JSON Lines sink writes).
nlohmann::ordered_json to_json(const Record& r, const Trace& t);
nlohmann::ordered_json to_json(const net::Segment& s);
nlohmann::ordered_json to_json(const SegmentCounts& c);

class JsonlSink final : public Sink {
 public:
  explicit JsonlSink(std::ostream& out) : out_(out) {}
  void write(const Record& r, const Trace& t) override;
  void finish(const Trace&) override { out_.flush(); }

 private:
  std::ostream& out_;
};

}  // namespace tcpsim::trace
