// The sequence diagram as a plain model of drawable primitives (no Qt, no SVG).
//
// build_layout() reads the trace records once, in order, and places everything in one logical
// coordinate space (x to the right, y = time running down, 1 unit = 1 pixel at zoom 1):
//  - one lane (lifeline) per endpoint host:port, the lanes of a host side by side under its name;
//    when several connections share a local endpoint (a server port) each gets its own sub-column
//    and the listener its own lane; a host with more than four lanes draws its endpoints of one
//    address range as one group lane, expandable through Options::expand (see lanes.hpp);
//  - one arrow per segment sent (or copied by duplication), from the send event to the receive
//    event, so that its slant is the transit delay; lost arrows stop part-way with a cross and
//    the reason, arrows still in flight at the cursor are dashed and unterminated;
//  - the state after each StateChanged beside the lane, and a coloured band per state along it;
//  - timers as brackets from armed to fired or cancelled; app calls, notifications and notes as
//    small text annotations; break marks where the compressed time axis squeezed an idle gap.
// Every primitive carries the index of the trace record it comes from (hit-testing, tooltips,
// stepping). All text carries its box; boxes never overlap (labels are nudged down, and hidden
// when a crowded stretch would push them too far from what they label).
// The SVG writer (svg.hpp) and the Qt view (gui/sequence_view.hpp) both draw this model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/kernel/time.hpp"
#include "sim/trace/facts.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::diagram {

inline constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();
inline constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

enum class TimeAxis : std::uint8_t {
  Linear,      // y proportional to time
  EventStep,   // one row per trace record, RFC figure style
  Compressed,  // linear, but idle gaps longer than a threshold squeezed to a break mark
};
const char* to_string(TimeAxis a);

struct Options {
  TimeAxis axis = TimeAxis::Compressed;
  bool absolute = false;     // absolute seq/ack instead of relative to each direction's ISN/IRS
  bool show_window = false;  // append win=N to arrow labels
  std::size_t cursor = kAll; // records revealed: everything from this index on is hidden
  double px_per_ms = 0;      // Linear/Compressed scale; 0 = chosen from the trace
  sim::Duration compress_threshold = sim::Duration::zero();  // Compressed; 0 = chosen from the trace
  std::set<std::string> expand;  // lane groups (Lane::group) drawn one lane per member
};

// Optional display names: the diagram title (scenario name) and host names by NodeId (an empty
// or missing entry falls back to Trace::node_name).
struct Names {
  std::string title;
  std::vector<std::string> hosts;
};

struct Point {
  double x = 0;
  double y = 0;
};
struct Box {
  double x = 0;  // left
  double y = 0;  // top
  double w = 0;
  double h = 0;
  double right() const { return x + w; }
  double bottom() const { return y + h; }
  bool overlaps(const Box& o) const {
    return x < o.right() && o.x < right() && y < o.bottom() && o.y < bottom();
  }
  bool contains(Point p) const { return p.x >= x && p.x <= right() && p.y >= y && p.y <= bottom(); }
};

// A piece of text: `box` is where it is drawn (top-left, estimated size), `anchor` the point it
// labels. Text is drawn in a monospace font of size Style::font_px (Style::small_px if `small`).
struct Label {
  std::string text;  // several lines when it holds '\n' (box.h counts them)
  Box box;
  Point anchor;      // the point it labels (on its arrow, for an arrow's label)
  bool small = false;
  bool hidden = false;  // no room near what it labels (a crowded stretch): not drawn
  bool shown() const { return !text.empty() && !hidden; }
};

// Fixed metrics shared by the renderers, so text estimates match what they draw.
struct Style {
  static constexpr double font_px = 12;
  static constexpr double small_px = 10;
  static constexpr double char_w = 0.6;  // monospace advance, as a fraction of the font size
  static constexpr double line_h = 1.3;  // line height, as a fraction of the font size
  static constexpr double header_h = 76;  // title + host names + lane labels
  static constexpr double band_w = 6;     // state band width, centred on the lifeline
  static constexpr double axis_w = 92;    // the time axis labels, left of the lanes
};
double text_width(std::string_view text, bool small = false);

// One lifeline: an endpoint (local host:port) of a host, or one connection of it.
struct Lane {
  trace::NodeId node = trace::kNoNode;
  net::Endpoint local;
  net::Endpoint remote;  // set when the lane is one connection of a shared local endpoint
  double x = 0;
  Label label;           // "10.0.0.1:1024" (and "<> 10.0.0.9:5000" when split)
  std::size_t folded = 0;  // > 0: the host's last lane, shared by this many further endpoints
  // A group of endpoints drawn as one lane ("198.51.100.x ×40": spoofed sources; a listener's
  // children from one address range): its key for Options::expand, and how many it holds. The
  // lanes of an expanded group carry its key too (members 0), so that it can be folded again.
  std::string group;
  std::size_t members = 0;
  // A lane of several hosts ("hosts/..." group: clients of one address range): `node` is the
  // first of them, this the last (kNoNode otherwise).
  trace::NodeId last_node = trace::kNoNode;
  std::size_t first_record = kNone;
};
// The host name above its lanes.
struct HostHeader {
  trace::NodeId node = trace::kNoNode;
  Label label;
  double x0 = 0, x1 = 0;  // the span of its lanes
};

enum class Fate : std::uint8_t { Delivered, Lost, InFlight };

struct Arrow {
  std::size_t record = kNone;      // the SegmentSent (or SegmentDuplicated for a copy)
  std::size_t end_record = kNone;  // SegmentDelivered / SegmentDropped, kNone while in flight
  trace::SegmentId segment = 0;
  std::size_t from_lane = kNone;
  std::size_t to_lane = kNone;     // kNone: no lane owns the destination
  Point from, to;                  // `to` is where the line stops (part-way when lost)
  Fate fate = Fate::InFlight;
  bool retransmission = false;     // trace::SeqView says so (seq below what was sent), or the cause does
  bool copy = false;               // a duplicate made by a link or fault rule (x2 badge)
  bool injected = false;           // crafted by the scenario
  bool discarded = false;          // Lost: reached its host, whose TCP threw it away (reason says why)
  Label label;                     // "SYN,ACK seq=0 ack=1"
  std::string reason;              // lost: "loss", "fault rule 2", "queue overflow", "no route", ...
  Label reason_label;              // the reason at the cross (lost arrows only)
  std::string effects;             // "delayed +50ms by rule 1", "corrupted by rule 0"
  std::string_view cause;          // the TCP rule that sent it (tooltips)
  double y_min() const { return from.y < to.y ? from.y : to.y; }
  double y_max() const { return from.y < to.y ? to.y : from.y; }
};

// The state a connection is in from y0 to y1 (y1 = end of the revealed part when still open).
struct StateBand {
  std::size_t lane = kNone;
  std::size_t record = kNone;  // the StateChanged that entered it
  std::string_view state;
  double y0 = 0, y1 = 0;
};

// "SYN-SENT" written beside the lane at the StateChanged (the state after the event).
struct StateMark {
  std::size_t lane = kNone;
  std::size_t record = kNone;
  std::string_view from, to, cause;
  double y = 0;
  Label label;
};

// Restarted: armed again before it fired (the 2 MSL restart of TIME-WAIT, the RTO after an ACK);
// the next bracket starts where this one ends.
enum class TimerEnd : std::uint8_t { Pending, Fired, Cancelled, Restarted };
const char* to_string(TimerEnd e);  // "pending", "fired", "cancelled", "restarted"

// A timer from armed (y0) to fired, cancelled or restarted (y1), as a bracket beside the lane.
struct TimerBracket {
  std::size_t lane = kNone;
  std::size_t record = kNone;      // the Armed TimerEvent
  std::size_t end_record = kNone;  // Fired / Cancelled, kNone while pending
  std::string_view timer;          // "retransmit", "time-wait", ...
  TimerEnd end = TimerEnd::Pending;
  sim::Time deadline{};
  std::string_view cause;          // the rule that armed it (tooltips)
  bool restart = false;            // it restarts the bracket before it
  double x = 0;                    // the bracket's vertical line
  int slot = 0;                    // which of the parallel bracket columns beside the lane
  double y0 = 0, y1 = 0;
  Label label;                     // "RTO 1s", "2MSL 60s again", ... at the top of the bracket
};

enum class AnnotationKind : std::uint8_t { Call, Notify, Note };

// An app call "(connect)", a notification "[connected]" or a Note (lane kNone: across the top
// of the diagram's right side).
struct Annotation {
  std::size_t lane = kNone;
  std::size_t record = kNone;
  AnnotationKind kind = AnnotationKind::Call;
  double y = 0;
  Label label;
  std::string detail;  // full text for tooltips
};

// Where the compressed axis squeezed an idle gap.
struct Break {
  double y0 = 0, y1 = 0;
  sim::Duration skipped{};
  Label label;  // "~ 60s"
};

// A time tick on the left axis.
struct Tick {
  double y = 0;
  sim::Time time{};
  Label label;
};

// In drawing order (visible() returns them sorted by kind): what lies under the arrows first.
enum class PrimKind : std::uint8_t { Band, Timer, Break, Arrow, State, Annotation, Tick };
struct PrimRef {
  PrimKind kind;
  std::uint32_t index;  // into the vector of that kind
};

struct Layout {
  Options options;
  std::string title;
  Label title_label;
  Label legend;
  double width = 0, height = 0;
  double lanes_top = 0, lanes_bottom = 0;  // lifelines run from top to bottom
  std::size_t records_total = 0;           // records in the trace
  std::size_t revealed = 0;                // records laid out (min(cursor, total))
  double cursor_y = 0;                     // y of the last revealed record

  std::vector<HostHeader> hosts;
  std::vector<Lane> lanes;
  // Each vector is sorted by its first y (arrows by from.y, bands by y0, ...).
  std::vector<Arrow> arrows;
  std::vector<StateBand> bands;
  std::vector<StateMark> states;
  std::vector<TimerBracket> timers;
  std::vector<Annotation> annotations;
  std::vector<Break> breaks;
  std::vector<Tick> ticks;
  // y of every revealed record (its event row), by record index.
  std::vector<double> record_y;

  // The primitives whose vertical extent meets [y0, y1], by kind then index. Cost: the number
  // of primitives in the buckets of that range (a bucket index built with the layout).
  std::vector<PrimRef> visible(double y0, double y1) const;
  // The primitive nearest to p within `tolerance` (arrows by distance to their line, text by
  // box), for clicks and tooltips.
  std::optional<PrimRef> hit(Point p, double tolerance = 4) const;
  // The trace record a primitive comes from.
  std::size_t record_of(PrimRef r) const;
  // Every shown text box (title, lanes, arrow labels, states, timers, annotations, break marks,
  // ticks) for overlap checks.
  std::vector<Box> label_boxes() const;

  // Bucket index over y (built by build_layout; see visible()).
  double bucket_h = 256;
  std::vector<std::vector<PrimRef>> buckets;
};

// Lays out records [0, options.cursor) of `trace`. The y axis is computed from the whole
// trace so that the picture does not move as the cursor advances. Linear in the record count
// (plus a sort of the arrow labels by height).
// `facts`: the trace's facts when the caller keeps them (a view that lays the same trace out at
// every cursor); built here otherwise.
Layout build_layout(const trace::Trace& trace, const Options& options, const Names& names = {},
                    const trace::TraceFacts* facts = nullptr);

// The fill colour of a state's band (fixed palette, "#rrggbb"; grey for an unknown name).
const char* state_colour(std::string_view state);
// Short timer names for brackets: "retransmit" -> "RTO", "time-wait" -> "2MSL", ...
std::string_view timer_short_name(std::string_view timer);

}  // namespace tcpsim::diagram
