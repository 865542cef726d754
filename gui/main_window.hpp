// The tcpsim-gui main window: open a scenario, step or run its world, read the trace.
//
//   toolbar      Open | Step (F10, Right) | Run to end (F5) | Restart (Ctrl+R) | filter box
//   header       scenario name and description, or what went wrong
//   messages     every loader diagnostic ("file:line:col: error: /pointer: message"), or an
//                error raised while running; hidden when there is nothing to say
//   event table  one row per trace record (#, time, kind, node, summary, details)
//   chart        cumulative delivered and dropped segments over virtual time
//   status bar   segment accounting, clock and event count
//
// Everything shown is read from the world's trace; the window holds no simulation state of its
// own besides the loaded Scenario (kept so Restart can rebuild the world).
#pragma once

#include <QMainWindow>
#include <QString>
#include <memory>
#include <optional>

#include "sim/scenario/scenario.hpp"

class QAction;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTableView;

namespace tcpsim::scenario {
class World;
}

namespace tcpsim::gui {

class EventTableModel;
class KindNodeFilter;
class SegmentChart;

class MainWindow final : public QMainWindow {
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Loads a scenario file and builds a fresh world. On failure the window shows every
  // diagnostic, holds no world, and this returns false.
  bool open_file(const QString& path);
  // File > Open: asks for a file, then open_file().
  void open_dialog();
  // Executes one event of the world (if it is not finished).
  void step();
  // Runs the world to its stop time, or until no event is pending.
  void run_to_end();
  // Rebuilds the world from the loaded scenario (same seed): back to time zero.
  void restart();
  // Writes what the window shows to an image file (format from the extension).
  bool save_screenshot(const QString& path);

  // The parts, for tests and tools.
  scenario::World* world() { return world_.get(); }
  EventTableModel* events() { return events_; }
  KindNodeFilter* filter() { return filter_; }
  QTableView* table() { return table_; }
  QLineEdit* filter_edit() { return filter_edit_; }
  QLabel* header() { return header_; }
  QPlainTextEdit* messages() { return messages_; }
  SegmentChart* chart() { return chart_; }
  QString status_text() const;  // the segment accounting line
  QAction* step_action() { return step_; }
  QAction* run_action() { return run_; }
  QAction* restart_action() { return restart_; }

 private:
  void build_world();
  void drop_world();
  void refresh();
  void show_messages(const QString& title, const QString& text);

  std::optional<scenario::Scenario> scenario_;
  std::unique_ptr<scenario::World> world_;
  QString path_;
  bool failed_ = false;  // the world threw: it can no longer be stepped

  EventTableModel* events_;
  KindNodeFilter* filter_;
  QTableView* table_;
  QLineEdit* filter_edit_;
  QLabel* header_;
  QPlainTextEdit* messages_;
  SegmentChart* chart_;
  QLabel* counts_;
  QLabel* clock_;
  QAction* step_;
  QAction* run_;
  QAction* restart_;
};

}  // namespace tcpsim::gui
