// The sequence diagram in the GUI: the layout of sim/diagram/layout.hpp painted in a
// QGraphicsView (only the primitives meeting the exposed y-range are painted), with zoom
// (ctrl+wheel, +/-), pan (drag, scroll bars), hover tooltips (the cause of each event), a
// click that selects the record behind a primitive, and a context menu on a segment arrow that
// asks "what if" (drop, delay, duplicate) without changing anything itself. The host names and
// lane labels stay pinned to the top of the viewport when the diagram scrolls down.
//
// The view keeps a pointer to the trace given to set_trace(): the trace must outlive the view
// or the next set_trace()/clear(). When the trace grows (the world steps), call set_trace()
// or set_cursor() again: both rebuild the layout (linear in the record count).
#pragma once

#include <QGraphicsView>
#include <QString>
#include <QStringList>
#include <cstddef>
#include <functional>
#include <optional>

#include "sim/diagram/layout.hpp"
#include "sim/kernel/time.hpp"
#include "sim/trace/trace.hpp"

class QContextMenuEvent;
class QKeyEvent;
class QMouseEvent;
class QWheelEvent;

namespace tcpsim::gui {

// What the user asked of a segment arrow's context menu.
enum class WhatIfAction { Drop, Delay, Duplicate };

class SequenceView final : public QGraphicsView {
 public:
  explicit SequenceView(QWidget* parent = nullptr);
  ~SequenceView() override;

  // Shows `trace` (all records revealed unless set_cursor() says otherwise). `names`: the title
  // (scenario name) and optional host display names.
  // `facts`: the trace's facts, if the caller keeps them (they must live as long as the trace);
  // otherwise each layout builds its own.
  void set_trace(const trace::Trace& trace, const diagram::Names& names = {}, const trace::TraceFacts* facts = nullptr);
  // Forgets the trace: an empty view.
  void clear();
  // Reveals the first `records_revealed` records (diagram::kAll: all of them).
  void set_cursor(std::size_t records_revealed);
  // Time axis, relative/absolute numbers, window (the cursor in `options` is ignored: see
  // set_cursor()).
  void set_options(const diagram::Options& options);
  const diagram::Options& options() const { return options_; }
  // Opens a group lane ("198.51.100.x ×40") into one lane per member, or folds it again; a click
  // on a group lane's label does the same.
  void toggle_group(const std::string& key);
  // Record clicked (the primitive under the mouse comes from it).
  void on_record_selected(std::function<void(std::size_t record_index)> callback);
  // Context menu on a segment arrow: the record of its SegmentSent (or SegmentDuplicated), the
  // action and, for Delay, the extra delay chosen (zero for the others).
  void on_what_if(std::function<void(std::size_t record_index, WhatIfAction, sim::Duration)> callback);

  // Draws a marker on the primitives of this record (kNone: no selection) and scrolls to it.
  void select_record(std::size_t record_index);
  std::size_t selected_record() const { return selected_; }

  // Zoom: factor 1 = one logical unit per pixel. zoom_in/out multiply by 1.25.
  void zoom_in();
  void zoom_out();
  void set_zoom(double factor);
  double zoom() const { return zoom_; }

  // Exports: the SVG is the same as `tcpsim run --svg` (same layout, same writer); the PNG is
  // the whole diagram rendered at zoom 1.
  bool export_svg(const QString& path) const;
  bool export_png(const QString& path) const;

  // For tests and tools.
  const diagram::Layout& layout() const { return layout_; }
  // The tooltip text for the primitive at a scene point (empty if none).
  QString tooltip_at(QPointF scene_pos) const;
  // The record of the primitive at a scene point, if any.
  std::optional<std::size_t> record_at(QPointF scene_pos) const;
  // Emulates the context menu's choice on the arrow at a scene point (what the menu calls).
  bool what_if_at(QPointF scene_pos, WhatIfAction action, sim::Duration extra = sim::Duration::zero());
  // The host names and lane labels heading the lifelines stay at the top of the viewport while
  // the diagram scrolls down (and follow the horizontal scroll and the zoom). Where a lane's
  // label and a host's name are drawn, in viewport coordinates (empty for a bad index); a host's
  // name is centred over the part of its lanes in view.
  QRectF lane_header_rect(std::size_t lane) const;
  QRectF host_header_rect(std::size_t host) const;
  // The context menu's entries for the arrow at a scene point, each naming the segment it acts
  // on ("Drop SYN,ACK seq=0 ack=1 (server → client, #9)"); empty where no arrow is.
  QStringList what_if_menu_at(QPointF scene_pos) const;

 protected:
  void drawBackground(QPainter* painter, const QRectF& rect) override;
  void drawForeground(QPainter* painter, const QRectF& rect) override;
  void wheelEvent(QWheelEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;

 private:
  void rebuild();
  // The band of host names and lane labels where the layout put it (scene coordinates), and how
  // far below that it is drawn so as to stay at the top of the viewport.
  QRectF header_band() const;
  double header_shift() const;
  QRectF header_rect(const diagram::Label& l) const;
  double host_left(const diagram::HostHeader& h) const;

  const trace::Trace* trace_ = nullptr;
  const trace::TraceFacts* facts_ = nullptr;
  diagram::Names names_;
  diagram::Options options_;
  diagram::Layout layout_;
  std::size_t selected_ = diagram::kNone;
  double zoom_ = 1;
  std::function<void(std::size_t)> on_selected_;
  std::function<void(std::size_t, WhatIfAction, sim::Duration)> on_what_if_;
};

}  // namespace tcpsim::gui
