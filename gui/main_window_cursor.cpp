// The main window's cursor, the views it drives, and the what-if re-runs.
#include <QAction>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QSignalBlocker>
#include <QStatusBar>
#include <QTableView>
#include <algorithm>
#include <map>

#include "gui/event_model.hpp"
#include "gui/inspector.hpp"
#include "gui/load_view.hpp"
#include "gui/main_window.hpp"
#include "gui/sequence_view.hpp"
#include "gui/state_diagram.hpp"
#include "gui/state_timeline.hpp"
#include "gui/whatif.hpp"

namespace tcpsim::gui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

constexpr int kSpeeds[] = {1, 2, 5, 10, 25, 100};  // events per second, as the speed box lists them

}  // namespace

std::size_t MainWindow::size() const {
  const Run* r = shown_run();
  return r ? r->size() : 0;
}

QString MainWindow::status_text() const { return position_->text() + QStringLiteral("   ") + counts_->text(); }

void MainWindow::install_run(std::unique_ptr<Run> run, bool keep_previous) {
  pause();
  replay_.reset();
  if (keep_previous)
    previous_ = std::move(run_);
  else
    previous_.reset();
  run_ = std::move(run);
  showing_previous_ = false;
  {
    const QSignalBlocker block(prev_run_);
    prev_run_->setChecked(false);
  }
  if (!keep_previous) {
    cursor_ = 0;
    modified_bar_->hide();
  }
  messages_->clear();
  messages_->hide();
  if (run_ && !run_->error.empty())
    show_messages(QStringLiteral("The simulation stopped with an error; the events before it are shown"), qs(run_->error));
  else if (run_ && run_->bound)
    show_messages(QStringLiteral("The run stopped at a bound before its end; the events before it are shown"),
                  qs(bound_text(*run_->bound)));
  show_run();
}

void MainWindow::show_run() {
  const Run* r = shown_run();
  events_->set_trace(r ? r->trace() : nullptr, r ? r->book : AddressBook{}, r ? r->facts.get() : nullptr);
  for (RunView* v : views_) v->show_run(shown_runs());
  if (r && r->trace()) {
    diagram::Names names;
    names.title = r->scenario.name + (showing_previous_ ? " (previous run)" : "");
    diagram_->set_trace(*r->trace(), names, r->facts.get());
  } else {
    diagram_->clear();
  }
  {
    const QSignalBlocker b1(endpoint_combo_);
    const QString keep = endpoint_combo_->currentData().toString();
    endpoint_combo_->clear();
    endpoint_combo_->addItem(QStringLiteral("all endpoints"), QString());
    for (const QString& e : events_->endpoints()) endpoint_combo_->addItem(e, e);
    endpoint_combo_->setCurrentIndex(std::max(0, endpoint_combo_->findData(keep)));
    filter_->set_endpoint(endpoint_combo_->currentData().toString());
  }
  {
    const QSignalBlocker b2(follow_combo_);
    const int keep = follow_combo_->currentIndex();
    follow_combo_->clear();
    follow_combo_->addItem(QStringLiteral("follow: the last transition"), -1);
    if (r)
      for (std::size_t i = 0; i < r->connections.endpoints.size(); ++i)
        if (!r->connections.endpoints[i].changes.empty())
          follow_combo_->addItem(QStringLiteral("follow: ") + qs(r->connections.endpoints[i].label), static_cast<int>(i));
    follow_combo_->setCurrentIndex(keep < follow_combo_->count() ? std::max(0, keep) : 0);
  }
  if (r) whatif_->set_scenario(r->scenario);
  if (r && r->world && messages_->isHidden()) {
    const QString name = qs(r->scenario.name).toHtmlEscaped();
    QString which;
    if (showing_previous_)
      which = QStringLiteral(" &nbsp;<b style='color:#9a5b00'>[previous run, before the last edit]</b>");
    else if (modified_)
      which = QStringLiteral(" &nbsp;<b style='color:#9a5b00'>[modified by what-if]</b>");
    header_->setText(QStringLiteral("<b>%1</b>%2 &nbsp;<span style='color:#555'>seed %3 · %4 · %5 events</span><br>%6")
                         .arg(name, which)
                         .arg(r->world->seed())
                         .arg(QFileInfo(path_).fileName().toHtmlEscaped())
                         .arg(r->size())
                         .arg(qs(r->scenario.description).toHtmlEscaped()));
  }
  cursor_ = std::min(cursor_, size());
  set_cursor(cursor_);
}

void MainWindow::set_cursor(std::size_t n) {
  cursor_ = std::min(n, size());
  selected_ = cursor_ == 0 ? std::nullopt : std::optional<std::size_t>(cursor_ - 1);
  refresh();
}

void MainWindow::step_forward() {
  if (cursor_ < size()) set_cursor(cursor_ + 1);
}

void MainWindow::step_back() {
  if (cursor_ > 0) set_cursor(cursor_ - 1);
}

bool MainWindow::next_state_change() {
  const Run* r = shown_run();
  if (!r || !r->trace()) return false;
  const auto n = gui::next_state_change(*r->trace(), cursor_);
  if (!n) {
    note(QStringLiteral("No state change after this point"));
    return false;
  }
  set_cursor(*n);
  return true;
}

bool MainWindow::previous_state_change() {
  const Run* r = shown_run();
  if (!r || !r->trace()) return false;
  const auto n = gui::previous_state_change(*r->trace(), cursor_);
  if (!n) {
    note(QStringLiteral("No state change before this point"));
    return false;
  }
  set_cursor(*n);
  return true;
}

bool MainWindow::jump_to(const QString& text) {
  const Run* r = shown_run();
  if (!r || !r->trace()) return false;
  std::string error;
  const auto n = parse_jump(*r->trace(), text.toStdString(), &error);
  if (!n) {
    note(qs(error));
    return false;
  }
  set_cursor(*n);
  return true;
}

bool MainWindow::set_breakpoints(const QString& text) {
  const auto parsed = parse_breakpoints(text.toStdString());
  if (!parsed.error.empty()) {
    note(QStringLiteral("Breakpoint: ") + qs(parsed.error));
    breakpoint_edit_->setStyleSheet(QStringLiteral("background:#ffe0e0"));
    breakpoint_edit_->setToolTip(qs(parsed.error));
    return false;
  }
  breakpoint_edit_->setStyleSheet(QString());
  breakpoint_edit_->setToolTip(QString());
  if (breakpoint_edit_->text() != text) breakpoint_edit_->setText(text);
  breakpoints_ = parsed.breakpoints;
  return true;
}

bool MainWindow::run_to_breakpoint() {
  const Run* r = shown_run();
  if (!r || !r->trace()) return false;
  const auto n = breakpoints_.empty() ? std::nullopt : gui::run_to_breakpoint(*r->trace(), cursor_, breakpoints_);
  if (!n) {
    set_cursor(size());
    note(breakpoints_.empty() ? QStringLiteral("No breakpoint set: ran to the end") : QStringLiteral("No breakpoint hit: ran to the end"));
    return false;
  }
  set_cursor(*n);
  for (const auto& b : breakpoints_)
    if (hits(b, *r->trace(), *n - 1)) note(QStringLiteral("Breakpoint hit at #%1: %2").arg(*n - 1).arg(qs(to_string(b))));
  return true;
}

void MainWindow::play() {
  if (!shown_run()) return;
  if (cursor_ >= size()) set_cursor(0);
  const int speed = kSpeeds[std::clamp(speed_->currentIndex(), 0, static_cast<int>(std::size(kSpeeds)) - 1)];
  play_timer_.start(1000 / speed);
  const QSignalBlocker block(play_);
  play_->setChecked(true);
  play_->setText(QStringLiteral("Pause"));
}

void MainWindow::pause() {
  play_timer_.stop();
  if (play_ == nullptr) return;
  const QSignalBlocker block(play_);
  play_->setChecked(false);
  play_->setText(QStringLiteral("Play"));
}

void MainWindow::play_tick() {
  if (cursor_ >= size()) {
    pause();
    return;
  }
  step_forward();
  const Run* r = shown_run();
  for (const auto& b : breakpoints_)
    if (hits(b, *r->trace(), cursor_ - 1)) {
      pause();
      note(QStringLiteral("Breakpoint hit at #%1: %2").arg(cursor_ - 1).arg(qs(to_string(b))));
      return;
    }
}

void MainWindow::select_record(std::size_t index) {
  if (index >= size()) return;
  selected_ = index;
  const QModelIndex src = events_->index(static_cast<int>(index), 0);
  const QModelIndex shown = filter_->mapFromSource(src);
  if (shown.isValid() && table_->currentIndex().row() != shown.row()) {
    table_->setCurrentIndex(shown);
    table_->scrollTo(shown);
  }
  show_inspector();
  if (diagram_->selected_record() != index) diagram_->select_record(index);
}

void MainWindow::show_inspector() {
  const Run* r = shown_run();
  if (r == nullptr || r->trace() == nullptr) {
    inspector_->show_at(nullptr, 0, std::nullopt);
    return;
  }
  const TcbProvider tcb = [this, r](const ConnKey& key) -> std::optional<TcbVariables> {
    const scenario::World* w = replay_.at(*r, cursor_);
    if (w == nullptr) return std::nullopt;
    const auto st = find_status(*w, key);
    if (!st) return std::nullopt;
    return tcb_rows(*st);
  };
  inspector_->show_at(r, cursor_, selected_, tcb);
}

void MainWindow::refresh() {
  const Run* r = shown_run();
  const bool have = r != nullptr && r->trace() != nullptr;
  for (auto* a : {step_fwd_, next_state_, to_end_, play_, run_bp_}) a->setEnabled(have && cursor_ < size());
  for (auto* a : {step_back_, prev_state_, to_start_}) a->setEnabled(have && cursor_ > 0);
  jump_->setEnabled(have);
  reload_->setEnabled(!path_.isEmpty());
  prev_run_->setEnabled(previous_ != nullptr);
  if (!have) {
    if (messages_->isHidden())
      header_->setText(QStringLiteral("Open a scenario: File &gt; Open (Ctrl+O), drop a file here, or pick one in the Library tab."));
    events_->set_trace(nullptr);
    inspector_->show_at(nullptr, 0, std::nullopt);
    state_diagram_->clear_highlight();
    position_->setText(QStringLiteral("no scenario"));
    counts_->clear();
    return;
  }
  syncing_ = true;
  events_->set_revealed(cursor_);
  if (selected_) {
    const QModelIndex shown = filter_->mapFromSource(events_->index(static_cast<int>(*selected_), 0));
    if (shown.isValid()) {
      table_->setCurrentIndex(shown);
      table_->scrollTo(shown);
    }
  }
  syncing_ = false;
  for (RunView* v : views_) v->set_cursor(cursor_);
  diagram_->set_cursor(cursor_);
  if (selected_) diagram_->select_record(*selected_);
  show_inspector();
  refresh_state_diagram();
  const auto& records = r->trace()->records();
  if (cursor_ == 0)
    position_->setText(QStringLiteral("before the first event (0 of %1) — press → to step").arg(records.size()));
  else
    position_->setText(QStringLiteral("event #%1 (%2 of %3 revealed)   t = %4 s")
                           .arg(cursor_ - 1)
                           .arg(cursor_)
                           .arg(records.size())
                           .arg(qs(sim::format_seconds(records[cursor_ - 1].time))));
  QString counts = QStringLiteral("whole run: ") + segment_counts_text(*r->trace());
  if (r->bound)
    counts += QStringLiteral("   stopped at the %1 bound").arg(QString::fromLatin1(scenario::to_string(r->bound->bound)));
  counts_->setText(counts);
  counts_->setToolTip(r->bound ? qs(bound_text(*r->bound)) : QString());
}

void MainWindow::refresh_state_diagram() {
  const Run* r = shown_run();
  if (!r || !r->trace() || cursor_ == 0) {
    state_diagram_->clear_highlight();
    why_label_->setText(QStringLiteral("<i>No transition yet.</i>"));
    return;
  }
  const auto& records = r->trace()->records();
  const int follow = follow_combo_->currentData().toInt();
  std::optional<std::size_t> at;
  if (follow < 0) {
    for (std::size_t i = cursor_; i-- > 0;)
      if (std::holds_alternative<trace::StateChanged>(records[i].body)) {
        at = i;
        break;
      }
  } else if (static_cast<std::size_t>(follow) < r->connections.endpoints.size()) {
    for (std::size_t i : r->connections.endpoints[static_cast<std::size_t>(follow)].changes)
      if (i < cursor_) at = i;
  }
  if (!at) {
    state_diagram_->clear_highlight();
    why_label_->setText(QStringLiteral("<i>No transition yet.</i>"));
    return;
  }
  const auto& s = std::get<trace::StateChanged>(records[*at].body);
  const auto* ep = r->connections.find({s.node, s.conn});
  const QString caption = QStringLiteral("%1  %2 → %3  (#%4)\nwhy: %5")
                              .arg(ep ? qs(ep->label) : QString(), qs(display_state(s.from)), qs(display_state(s.to)))
                              .arg(*at)
                              .arg(qs(std::string(s.cause)));
  state_diagram_->set_transition(std::string(s.from), std::string(s.to), caption);
  why_label_->setText(QStringLiteral("<b>%1</b> %2 → <b>%3</b> at #%4<br><span style='color:#7a3e00'>why: %5</span>")
                          .arg(ep ? qs(ep->label).toHtmlEscaped() : QString(), qs(display_state(s.from)), qs(display_state(s.to)))
                          .arg(*at)
                          .arg(qs(std::string(s.cause)).toHtmlEscaped()));
}

// --- what-if ---

bool MainWindow::apply_what_if(std::size_t index, trace::FaultAction action, sim::Duration delay) {
  if (!run_ || !run_->trace() || !scenario_) return false;
  if (showing_previous_) show_previous_run(false);
  std::string why;
  const auto rule = fault_rule_for_segment(*run_->trace(), index, action, delay, &why);
  if (!rule) {
    whatif_->show_error(qs(why));
    note(qs(why));
    return false;
  }
  scenario_->faults.push_back(*rule);
  modified_ = true;
  const std::size_t number = scenario_->faults.size() - 1;
  install_run(run_scenario(*scenario_), true);
  show_what_if_bar(QStringLiteral("fault rule %1 added — %2").arg(number).arg(qs(describe(*rule, run_->book)).toHtmlEscaped()));
  return true;
}

bool MainWindow::rerun_from_panel() {
  if (!scenario_) return false;
  std::string error;
  auto edited = whatif_->edited(&error);
  if (!edited) {
    whatif_->show_error(qs(error));
    return false;
  }
  if (showing_previous_) show_previous_run(false);
  scenario_ = std::move(*edited);
  modified_ = true;
  install_run(run_scenario(*scenario_), true);
  show_what_if_bar(QStringLiteral("re-run with the edited links and fault rules"));
  return true;
}

void MainWindow::show_what_if_bar(const QString& what) {
  divergence_.reset();
  if (run_ && previous_ && run_->trace() && previous_->trace()) divergence_ = first_divergence(*run_->trace(), *previous_->trace());
  QString diff = QStringLiteral("The new run is the same as the one before.");
  if (divergence_) {
    const QString now = *divergence_ < run_->size() ? events_->summary(*divergence_) : QStringLiteral("(the run has ended)");
    diff = QStringLiteral("The runs part at #%1: now <i>%2</i>.").arg(*divergence_).arg(now.toHtmlEscaped());
  }
  modified_label_->setText(QStringLiteral("<b>What-if:</b> %1. %2 The run before is kept: toggle <i>Previous run</i> "
                                          "(Ctrl+P) to compare.")
                               .arg(what, diff));
  modified_bar_->show();
}

bool MainWindow::go_to_divergence() {
  if (!divergence_) return false;
  set_cursor(*divergence_ + 1);
  return true;
}

void MainWindow::show_previous_run(bool on) {
  if (on && !previous_) on = false;
  {
    const QSignalBlocker block(prev_run_);
    prev_run_->setChecked(on);
  }
  if (on == showing_previous_) return;
  showing_previous_ = on;
  replay_.reset();
  show_run();
}

// --- drag and drop ---

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls() && !e->mimeData()->urls().isEmpty() && e->mimeData()->urls().front().isLocalFile())
    e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  const auto urls = e->mimeData()->urls();
  if (urls.isEmpty() || !urls.front().isLocalFile()) return;
  e->acceptProposedAction();
  open_file(urls.front().toLocalFile());
}

}  // namespace tcpsim::gui
