// The trace: an append-only list of records plus the counters that account for every segment.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/trace/record.hpp"

namespace tcpsim::trace {

class Trace;

// Receives each record as it is appended (JSON Lines writer, live GUI views, ...).
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(const Record& r, const Trace& t) = 0;
  virtual void finish(const Trace&) {}
};

// Segment accounting. Every segment sent (and every copy made by duplication) ends delivered,
// dropped with a reason, or still in flight when the run stops:
//   sent + duplicates == delivered + dropped_total() + in_flight()
struct SegmentCounts {
  std::uint64_t sent = 0;        // segments that entered the network (including injected)
  std::uint64_t injected = 0;    // of which crafted by the scenario
  std::uint64_t duplicates = 0;  // extra copies made by links or fault rules
  std::uint64_t delivered = 0;
  std::array<std::uint64_t, kDropReasons> dropped{};
  std::uint64_t dropped_total() const;
  std::uint64_t in_flight() const { return sent + duplicates - delivered - dropped_total(); }
};

class Trace {
 public:
  // Node names, so records can carry a 4-byte id. Registered by the world builder.
  NodeId add_node(std::string name);
  const std::string& node_name(NodeId id) const;
  std::size_t node_count() const { return nodes_.size(); }

  // Where the trace comes from, as string pairs in the order first set: a live run on kernel
  // sockets says {"source": "kernel"}, {"kernel": "6.18.44"}, {"hz": "250"}, ... A simulated run
  // sets none, so its JSON Lines (and fingerprint) stay as they were. Set it before the first
  // record: a JSON Lines sink writes it ahead of record 0. Setting a key again replaces its value
  // where it stands.
  void set_meta(std::string key, std::string value);
  const std::vector<std::pair<std::string, std::string>>& meta() const { return meta_; }

  // Keep records in memory (default). A run that only needs counters can turn it off.
  void set_keep_records(bool keep) { keep_ = keep; }
  // Calls `reached` after each record kept once `limit` records are kept (the scenario runtime's
  // record bound stops the run there). One comparison per record kept.
  void set_record_limit(std::uint64_t limit, std::function<void()> reached) {
    record_limit_ = limit;
    limit_reached_ = std::move(reached);
  }
  void add_sink(Sink* sink) { sinks_.push_back(sink); }
  void finish();

  // Text a record's string_view may point at when it does not come from static storage (a trace
  // read back from JSON Lines): kept once, for the life of this trace and of its copies.
  std::string_view keep_text(std::string_view text);

  SegmentId next_segment_id() { return next_segment_id_++; }
  void emit(sim::Time t, Body body);

  const std::vector<Record>& records() const { return records_; }
  std::uint64_t record_count() const { return count_; }
  const SegmentCounts& segments() const { return counts_; }

 private:
  std::vector<std::string> nodes_;
  std::vector<std::pair<std::string, std::string>> meta_;
  std::vector<Record> records_;
  std::shared_ptr<std::set<std::string, std::less<>>> texts_;  // shared: copies' records point here too
  std::vector<Sink*> sinks_;
  SegmentCounts counts_;
  SegmentId next_segment_id_ = 0;
  std::uint64_t count_ = 0;
  std::uint64_t record_limit_ = UINT64_MAX;
  std::function<void()> limit_reached_;
  bool keep_ = true;
};

}  // namespace tcpsim::trace
