// The connection endpoints of a trace and what the trace says about each at a cursor.
//
// An endpoint is one side of one connection: (node, ConnId) as the StateChanged, TimerEvent,
// AppCall and AppNotify records name it. The state timeline draws one track per endpoint, the
// inspector lists them, the state diagram follows one. Everything is read from the records; the
// TCB variables the trace does not carry come from a replayed World (gui/run.hpp).
#pragma once

#include <compare>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::gui {

// Node names by address, so segment endpoints can be named like connection endpoints.
using AddressBook = std::map<std::uint32_t, std::string>;
AddressBook address_book(const scenario::Scenario& s);
// "client:40000", or "10.9.9.9:1" for an address no node owns.
std::string endpoint_name(const AddressBook& book, const net::Endpoint& e);

struct ConnKey {
  trace::NodeId node = trace::kNoNode;
  net::ConnId conn{};
  auto operator<=>(const ConnKey&) const = default;
};

// The connection a record belongs to, for the records that name one.
std::optional<ConnKey> conn_of(const trace::Body& body);

struct ConnEndpoint {
  ConnKey key;
  std::string label;                  // "client:40000"; "server:80 ↔ client:40000" if not unique
  std::vector<std::size_t> changes;   // indexes of its StateChanged records, in order
};

struct Connections {
  std::vector<ConnEndpoint> endpoints;  // in order of first appearance in the trace
  std::map<ConnKey, std::size_t> by_key;
  const ConnEndpoint* find(const ConnKey& k) const;
};
Connections scan_connections(const trace::Trace& trace, const AddressBook& book);

struct PendingTimer {
  std::string name;      // "retransmit", "time-wait", ...
  sim::Time deadline{};
  std::size_t armed_at;  // record index
};

// One endpoint at a cursor, as the trace tells it.
struct EndpointAtCursor {
  const ConnEndpoint* endpoint = nullptr;
  std::string state = "CLOSED";             // trace spelling; CLOSED before its first change
  std::optional<std::size_t> last_change;   // record index of the last StateChanged revealed
  std::vector<PendingTimer> timers;         // armed and neither fired nor cancelled yet
  std::size_t last_record = 0;              // its latest record before the cursor
};
// Every endpoint that has appeared in the first `cursor` records.
std::vector<EndpointAtCursor> endpoints_at(const trace::Trace& trace, const Connections& conns, std::size_t cursor);

// The SegmentSent record of segment `id` (a duplicate copy maps to its original's), at or
// before record `before`; nullopt if there is none.
std::optional<std::size_t> sent_record_of(const trace::Trace& trace, trace::SegmentId id, std::size_t before);
// The segment id a segment record is about (SegmentSent/Delivered/Dropped/Duplicated/Delayed/Corrupted).
std::optional<trace::SegmentId> segment_of(const trace::Body& body);

}  // namespace tcpsim::gui
