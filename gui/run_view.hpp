// What a tab of the main window is: a view of the run on screen at the window's cursor.
//
// The window owns the runs and the cursor; a view only reads them. Adding a view is one class
// implementing RunView and one MainWindow::add_view call: the window shows it as a tab, hands it
// every run it installs (with the run before the last what-if edit, for views that compare) and
// every cursor move, and gives it a ViewHost through which it may move the cursor or select a
// record. A view never keeps a Run past the next show_run call.
#pragma once

#include <QString>
#include <cstddef>
#include <functional>
#include <string>

class QWidget;

namespace tcpsim::gui {

struct Run;

// What the window offers its views.
struct ViewHost {
  std::function<void(std::size_t)> set_cursor;     // reveal the first n records
  std::function<void(std::size_t)> select_record;  // inspect a record (the cursor stays)
  std::function<void(const QString&)> note;        // a transient line in the status bar
  // The scenario file on screen ("" when none), for views that re-run it with another seed etc.
  std::function<QString()> scenario_path;
};

// The runs a view is shown. `run` is the one on screen (null when there is none); `other` the
// run before the last what-if edit, when there is one (null otherwise).
struct ShownRuns {
  const Run* run = nullptr;
  const Run* other = nullptr;
  bool showing_previous = false;  // `run` is the previous run, shown instead of the current one
};

class RunView {
 public:
  RunView() = default;
  RunView(const RunView&) = delete;
  RunView& operator=(const RunView&) = delete;
  virtual ~RunView() = default;

  // The widget of the tab; owned by the window once added.
  virtual QWidget* widget() = 0;
  // The tab's title ("Load", "Compare").
  virtual QString title() const = 0;
  // Called once, when the window adds the view.
  virtual void attach(const ViewHost& host) { host_ = host; }
  // A new run is on screen (or none: runs.run == nullptr). Called before the next set_cursor.
  virtual void show_run(const ShownRuns& runs) = 0;
  // The window's cursor moved: records [0, cursor) are revealed.
  virtual void set_cursor(std::size_t cursor) = 0;

 protected:
  const ViewHost& host() const { return host_; }

 private:
  ViewHost host_;
};

}  // namespace tcpsim::gui
