// The "State timeline" tab: the state timeline (gui/state_timeline.hpp) with its x-axis choice
// (time or event number) and an export button. Clicking a state change moves the window's cursor.
#pragma once

#include <QWidget>

#include "gui/run_view.hpp"

namespace tcpsim::gui {

class StateTimeline;

class TimelineTab final : public QWidget, public RunView {
 public:
  // Shows `timeline` (it becomes a child of the tab).
  explicit TimelineTab(StateTimeline* timeline, QWidget* parent = nullptr);

  QWidget* widget() override { return this; }
  QString title() const override { return QStringLiteral("State timeline"); }
  void attach(const ViewHost& host) override;
  void show_run(const ShownRuns& runs) override;
  void set_cursor(std::size_t cursor) override;

  StateTimeline* timeline() { return timeline_; }

 private:
  StateTimeline* timeline_;
};

}  // namespace tcpsim::gui
