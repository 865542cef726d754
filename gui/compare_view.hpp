// The Compare tab: the run on screen (A) beside another run (B) as two ladders on one time axis,
// their rows aligned by trace::Comparison (sim/trace/compare.hpp), the differences highlighted.
//
// B is chosen in the tab: the run before the last what-if edit (ShownRuns::other), the same
// scenario with another seed or under another profile (run here), or a JSON Lines trace file
// (read back; a file that cannot be read shows its error in the tab). The painting:
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
#include <memory>
#include <optional>
#include <vector>

#include "gui/run_view.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/trace/compare.hpp"

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QScrollArea;
class QSpinBox;

namespace tcpsim::gui {

class CompareCanvas;

class CompareView final : public QWidget, public RunView {
 public:
  enum Source { PreviousRun, Seed, Profile, TraceFile };

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

  const trace::Comparison* comparison() const { return comparison_.get(); }
  QString summary() const;
  QString error() const;  // "" when B is shown
  // One line per difference, as the list shows them.
  QStringList difference_lines() const;
  // Moves the window's cursor to reveal the n-th difference of the list.
  void go_to_difference(int n);
  // Where every text of the painting lies (canvas coordinates): for tests of overlap.
  std::vector<QRectF> text_rects() const;
  QComboBox* source() { return source_; }
  QSpinBox* seed() { return seed_; }
  QComboBox* profile() { return profile_; }
  QListWidget* differences() { return list_; }
  CompareCanvas* canvas() { return canvas_; }

 protected:
  void showEvent(QShowEvent* e) override;

 private:
  void choose(Source s);  // the selector moved: make B from the current controls
  bool make_b();          // B of the chosen source; false and error_ when it cannot be had
  void compare();         // A against B, and the picture and list from it
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
  std::optional<trace::Trace> b_file_;
  std::unique_ptr<trace::TraceFacts> b_file_facts_;
  trace::CompareSide b_;
  std::unique_ptr<trace::Comparison> comparison_;
  QString error_;

  QComboBox* source_;
  QSpinBox* seed_;
  QComboBox* profile_;
  QPushButton* file_button_;
  QLabel* error_label_;
  QLabel* summary_;
  QScrollArea* scroll_;
  CompareCanvas* canvas_;
  QListWidget* list_;
  QPushButton* go_;
};

}  // namespace tcpsim::gui
