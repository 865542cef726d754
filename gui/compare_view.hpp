// The Compare tab: the run on screen (A) beside another run (B) as two ladders on one time axis,
// their rows aligned by trace::Comparison (sim/trace/compare.hpp), the differences highlighted.
//
// B is chosen in the tab: the run before the last what-if edit (ShownRuns::other), the same
// scenario with another seed or under another profile (run here), a JSON Lines trace file (read
// back; a file that cannot be read shows its error in the tab), or the Linux kernel: the scenario
// played on real sockets by live::LiveRun (sim/live/run.hpp) in a thread of its own, for as long
// as the scenario's stop time says (at most kKernelMaxRealTime), with its progress and a Cancel
// beside the selector (then "Play again"). The kernel is offered only when the machine allows a live run (root,
// /dev/net/tun) and the kernel can play the scenario; else the entry is disabled and the tab says
// why. A side whose trace comes from a kernel (a live run, or a trace file it wrote) is named by
// its origin ("Linux kernel 6.18.44, HZ 250", trace::origin_text) with the relay's timing under
// its title, and is compared as `tcpsim diff` compares it: times within 35 ms are the same,
// windows and discards are not compared (a kernel scales its windows and cannot see discards).
// The painting:
//   - a time axis at the left; each distinct time of either run gets a band, as tall as the
//     side with more events at that time needs, so equal times sit level on both sides and
//     every event has a row of its own (no label lands on another);
//   - per side, a lifeline per host, each segment an arrow labelled as every view labels it
//     (trace::segment_label), a lost one cut short with a cross, a state change as a dot and
//     the state's name beside the lifeline;
//   - aligned events linked across the gap between the sides; a differing row drawn in red with
//     a "!" marker and the difference under it, an event only one side has in purple with "+";
//   - the list of differences beside it: a double click (or "Go to") moves the window's cursor
//     so that both events of the row are revealed.
// A is revealed up to the window's cursor; B up to the time of A's last revealed record (all of
// B once A is revealed entirely), so the two move down the shared time axis together.
#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "gui/run_view.hpp"
#include "sim/kernel/time.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/compare.hpp"

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QScrollArea;
class QSpinBox;
class QTimer;

namespace tcpsim::gui {

class CompareCanvas;

// How long a kernel run may take in real time, whatever the scenario's stop time says.
inline constexpr sim::Duration kKernelMaxRealTime = sim::Duration::s(60);

class CompareView final : public QWidget, public RunView {
 public:
  enum Source { PreviousRun, Seed, Profile, TraceFile, Kernel };

  explicit CompareView(QWidget* parent = nullptr);
  ~CompareView() override;

  QWidget* widget() override { return this; }
  QString title() const override { return QStringLiteral("Compare"); }
  void show_run(const ShownRuns& runs) override;
  void set_cursor(std::size_t cursor) override;

  // Choose B (each re-compares at once). False, with the error shown in the tab, when B cannot
  // be had (no previous run; a scenario the profile cannot be applied to; a file not read).
  bool compare_with_previous();
  bool compare_with_seed(std::uint64_t seed);
  bool compare_with_profile(scenario::Profile profile);
  bool compare_with_file(const QString& path);
  // Starts playing A's scenario on the kernel (B appears when the run ends), or shows the run
  // already made of this scenario. False, with the reason shown, when the kernel is not offered.
  bool compare_with_kernel();
  // Plays it on the kernel once more (a kernel run is not reproducible to the nanosecond).
  void play_kernel_again();
  void cancel_kernel();
  bool kernel_running() const;
  // Why the kernel is not offered for A's scenario here; "" when it is.
  QString kernel_unavailable() const { return kernel_unavailable_; }
  // The run's progress ("playing on the kernel… 2.3 s") or how it ended.
  QString kernel_status() const;

  const trace::Comparison* comparison() const { return comparison_.get(); }
  QString summary() const;
  // The summary as the tab shows it, with the notes under it (what was compared, the tick phase).
  QString summary_text() const;
  QString error() const;  // "" when B is shown
  // One line per difference, as the list shows them.
  QStringList difference_lines() const;
  // Moves the window's cursor to reveal the n-th difference of the list.
  void go_to_difference(int n);
  // Where every text of the painting lies (canvas coordinates): for tests of overlap.
  std::vector<QRectF> text_rects() const;
  // Every text of the painting (titles, notes, host names, labels).
  QStringList texts() const;
  QComboBox* source() { return source_; }
  QSpinBox* seed() { return seed_; }
  QComboBox* profile() { return profile_; }
  QListWidget* differences() { return list_; }
  CompareCanvas* canvas() { return canvas_; }
  QPushButton* kernel_button() { return kernel_button_; }

 protected:
  void showEvent(QShowEvent* e) override;

 private:
  void choose(Source s);  // the selector moved: make B from the current controls
  bool make_b();          // B of the chosen source; false and error_ when it cannot be had
  void compare();         // A against B, and the picture and list from it
  bool make_kernel_b();        // make_b for Kernel: a finished run of A's scenario, or start one
  void start_kernel();         // a worker thread plays A's scenario
  void kernel_finished();      // the worker is done (queued to this thread)
  void discard_kernel_run();   // A or the source changed under a running kernel run: cancel it
  void show_error(const QString& text);
  void update_enabled();

  const Run* a_ = nullptr;
  const Run* other_ = nullptr;
  bool showing_previous_ = false;
  std::size_t cursor_ = 0;
  bool dirty_ = true;  // B or A changed since the last comparison
  Source chosen_ = PreviousRun;
  QString file_;  // the trace file chosen

  // B when it is not the window's own run: a run made here, or a trace read back.
  std::unique_ptr<Run> b_run_;
  // A again on a kernel trace's conditions (scenario::take_kernel_conditions), when B records any.
  std::unique_ptr<Run> a_on_ticks_;
  struct KernelRun;
  std::unique_ptr<KernelRun> kernel_;  // the last kernel run, running or done
  QString kernel_unavailable_;
  std::optional<trace::Trace> b_file_;
  std::unique_ptr<trace::TraceFacts> b_file_facts_;
  trace::CompareSide b_;
  std::unique_ptr<trace::Comparison> comparison_;
  QString error_;

  QComboBox* source_;
  QSpinBox* seed_;
  QComboBox* profile_;
  QPushButton* file_button_;
  QPushButton* kernel_button_;  // Cancel while the kernel plays, "Play again" after
  QLabel* kernel_status_;
  QLabel* kernel_note_;  // why the kernel is not offered
  QTimer* kernel_clock_;
  QLabel* error_label_;
  QLabel* summary_;
  QScrollArea* scroll_;
  CompareCanvas* canvas_;
  QLabel* list_label_;
  QListWidget* list_;
  QPushButton* go_;
};

}  // namespace tcpsim::gui
