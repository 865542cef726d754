// The tcpsim-gui main window: open a scenario, run it once, then step a cursor through its trace.
//
//   toolbar      Open | start, back, step, end | previous/next state change | Play speed | Jump | breakpoint ▸ Run to it | previous run
//   header       scenario name and description, or what went wrong (messages below it); a bar
//                offering to save a scenario modified by a what-if edit
//   centre       the sequence diagram (left; time axis, absolute numbers, windows) beside the
//                RFC 9293 state diagram and the inspector
//   bottom tabs  event list (filter by kind, endpoint, words) | the RunViews
//                (gui/run_view.hpp: state timeline, load, ...) | what-if | library
//   status bar   cursor position, time, the run's segment accounting
//
// The window runs the scenario's World to the end once and keeps its trace (gui/run.hpp). The
// cursor, the number of records revealed, drives every view: the event list shows the revealed
// rows only, the diagram and the timeline hide what comes after it, the inspector and the state
// diagram describe the moment after record cursor-1. Nothing is computed beside the trace.
//
// Keys: Right/Left step, Shift+Right/Left next/previous state change, Home/End, Space play/pause,
// Ctrl+G jump to an event or a time, F5 run to the breakpoint, Ctrl+O open, F6 reload,
// Ctrl+P previous run.
#pragma once

#include <QMainWindow>
#include <QString>
#include <QTimer>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "gui/run.hpp"
#include "gui/run_view.hpp"
#include "gui/stepper.hpp"
#include "sim/scenario/scenario.hpp"

class QAction;
class QComboBox;
class QDragEnterEvent;
class QDropEvent;
class QFileSystemWatcher;
class QLabel;
class QLineEdit;
class QMenu;
class QPlainTextEdit;
class QTabWidget;
class QTableView;
class QWidget;

namespace tcpsim::gui {

class SequenceView;
class EventTableModel;
class Inspector;
class KindNodeFilter;
class LibraryBrowser;
class SegmentChart;
class StateDiagram;
class StateTimeline;
class LoadView;
class WhatIfPanel;

class MainWindow final : public QMainWindow {
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // --- files ---
  // Loads a scenario file and runs it. On failure the window shows every diagnostic, holds no
  // run, and this returns false.
  bool open_file(const QString& path);
  void open_dialog();
  bool reload();
  // Writes the scenario on screen (with its what-if edits) as JSON.
  bool save_scenario_as(const QString& path);
  QStringList recent_files() const;
  QStringList watched_files() const;  // the file reloaded when it changes on disk

  // --- the cursor ---
  std::size_t cursor() const { return cursor_; }
  std::size_t size() const;  // records of the run on screen
  void set_cursor(std::size_t n);
  void step_forward();
  void step_back();
  bool next_state_change();
  bool previous_state_change();
  // "42" (event number) or "1.5s"; false and a message when it cannot be read.
  bool jump_to(const QString& text);
  // Sets the breakpoints ("when client enters TIME-WAIT; when a segment is dropped").
  bool set_breakpoints(const QString& text);
  // Moves the cursor just past the next record that hits a breakpoint; false if none does
  // (the cursor then goes to the end).
  bool run_to_breakpoint();
  void play();
  void pause();
  bool playing() const { return play_timer_.isActive(); }
  void play_tick();  // one step of play (what the timer calls)
  // Selects a record for the inspector (the cursor does not move).
  void select_record(std::size_t index);
  std::optional<std::size_t> selected() const { return selected_; }

  // --- what-if ---
  // Adds the fault rule that applies `action` to the segment of record `index`, re-runs, keeps
  // the run before for comparison and offers to save. False (with a message) if it cannot.
  bool apply_what_if(std::size_t index, trace::FaultAction action, sim::Duration delay = {});
  // Re-runs with the what-if panel's links and fault rules.
  bool rerun_from_panel();
  // Shows the run before the last edit (true) or the current one.
  void show_previous_run(bool on);
  bool showing_previous_run() const { return showing_previous_; }
  const Run* run() const { return run_.get(); }
  const Run* previous_run() const { return previous_.get(); }
  const Run* shown_run() const { return showing_previous_ ? previous_.get() : run_.get(); }
  bool scenario_modified() const { return modified_; }
  // Where the run on screen first differs from the other one (after a what-if), if it does.
  std::optional<std::size_t> divergence() const { return divergence_; }
  // Moves the cursor just past the first difference between the two runs.
  bool go_to_divergence();

  // --- views ---
  // Adds a tab showing `view` (the window owns its widget): it is given every run the window
  // shows and every cursor move from now on. Returns the view.
  template <class View>
  View* add_view(View* view) {
    add_run_view(view);
    return view;
  }
  const std::vector<RunView*>& views() const { return views_; }

  // --- export ---
  bool export_timeline_png(const QString& path);
  bool export_diagram_png(const QString& path);
  bool export_diagram_svg(const QString& path);
  bool save_screenshot(const QString& path);

  // The parts, for tests and tools.
  EventTableModel* events() { return events_; }
  KindNodeFilter* filter() { return filter_; }
  QTableView* table() { return table_; }
  QLineEdit* filter_edit() { return filter_edit_; }
  QComboBox* kind_filter() { return kind_combo_; }
  QComboBox* endpoint_filter() { return endpoint_combo_; }
  QLabel* header() { return header_; }
  QPlainTextEdit* messages() { return messages_; }
  StateTimeline* timeline() { return timeline_; }
  LoadView* load_view() { return load_view_; }
  StateDiagram* state_diagram() { return state_diagram_; }
  QComboBox* follow() { return follow_combo_; }
  QLabel* why_label() { return why_label_; }
  Inspector* inspector() { return inspector_; }
  WhatIfPanel* whatif() { return whatif_; }
  LibraryBrowser* library() { return library_; }
  QTabWidget* tabs() { return tabs_; }
  SequenceView* diagram() { return diagram_; }
  QComboBox* time_axis() { return axis_combo_; }
  QString status_text() const;
  QAction* step_action() { return step_fwd_; }
  QAction* back_action() { return step_back_; }
  QAction* play_action() { return play_; }
  QAction* previous_run_action() { return prev_run_; }
  QAction* absolute_action() { return absolute_; }

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;

 private:
  void build_actions();
  void build_menus();
  void build_toolbar();
  void build_layout();
  void build_header();
  QWidget* build_events_page();
  QWidget* build_right_column();
  QWidget* build_diagram_page();
  void add_run_view(RunView* view);
  ShownRuns shown_runs() const;
  void install_run(std::unique_ptr<Run> run, bool keep_previous);
  void show_run();
  void refresh();
  void refresh_state_diagram();
  void show_inspector();
  void show_messages(const QString& title, const QString& text);
  void note(const QString& text);  // a transient line in the status bar
  void show_what_if_bar(const QString& what);
  void add_recent(const QString& path);
  void fill_recent_menu();
  void watch(const QString& path);

  std::optional<scenario::Scenario> scenario_;  // as loaded, with the what-if edits applied
  std::unique_ptr<Run> run_;
  std::unique_ptr<Run> previous_;
  Replay replay_;  // the shown run's world at the cursor, for the TCB variables
  bool showing_previous_ = false;
  bool modified_ = false;
  QString path_;
  std::string expect_json_;
  std::optional<std::size_t> divergence_;  // the file's "expect" block, copied as is when saving
  std::size_t cursor_ = 0;
  bool syncing_ = false;  // refresh() is moving the table: its selection changes are ours
  std::optional<std::size_t> selected_;
  std::vector<Breakpoint> breakpoints_;
  QTimer play_timer_;
  QFileSystemWatcher* watcher_;

  EventTableModel* events_;
  KindNodeFilter* filter_;
  QTableView* table_;
  QLineEdit* filter_edit_;
  QComboBox* kind_combo_;
  QComboBox* endpoint_combo_;
  QLabel* header_;
  QPlainTextEdit* messages_;
  QWidget* modified_bar_;
  QLabel* modified_label_;
  SequenceView* diagram_;
  QComboBox* axis_combo_;
  StateTimeline* timeline_;
  LoadView* load_view_;
  StateDiagram* state_diagram_;
  QComboBox* follow_combo_;
  QLabel* why_label_;
  Inspector* inspector_;
  WhatIfPanel* whatif_;
  LibraryBrowser* library_;
  QTabWidget* tabs_;
  std::vector<RunView*> views_;  // the tabs that implement RunView, in tab order
  QLineEdit* breakpoint_edit_;
  QComboBox* speed_;
  QLabel* position_;
  QLabel* counts_;
  QMenu* recent_menu_;

  QAction* open_ = nullptr;
  QAction* save_ = nullptr;
  QAction* export_png_ = nullptr;
  QAction* export_svg_ = nullptr;
  QAction* export_tl_ = nullptr;
  QAction* quit_ = nullptr;
  QAction* find_ = nullptr;
  QAction* step_fwd_ = nullptr;
  QAction* step_back_ = nullptr;
  QAction* next_state_ = nullptr;
  QAction* prev_state_ = nullptr;
  QAction* to_start_ = nullptr;
  QAction* to_end_ = nullptr;
  QAction* play_ = nullptr;
  QAction* jump_ = nullptr;
  QAction* run_bp_ = nullptr;
  QAction* prev_run_ = nullptr;
  QAction* reload_ = nullptr;
  QAction* absolute_ = nullptr;
  QAction* window_ = nullptr;
};

}  // namespace tcpsim::gui
