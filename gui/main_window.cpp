// The main window's construction: actions and shortcuts, layout, files (open, recent, drag and
// drop, reload on change), export. Cursor and what-if logic: main_window_cursor.cpp.
#include "gui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMimeData>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <exception>

#include "gui/event_model.hpp"
#include "gui/inspector.hpp"
#include "gui/library.hpp"
#include "gui/compare_view.hpp"
#include "gui/learn_view.hpp"
#include "gui/load_view.hpp"
#include "gui/sequence_view.hpp"
#include "gui/state_diagram.hpp"
#include "gui/state_timeline.hpp"
#include "gui/timeline_tab.hpp"
#include "gui/whatif.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/writer.hpp"

namespace tcpsim::gui {
namespace {

constexpr int kMaxRecent = 8;
const QString kRecentKey = QStringLiteral("recentFiles");

QAction* make(QObject* parent, const QString& text, const QList<QKeySequence>& keys, const QString& tip) {
  auto* a = new QAction(text, parent);
  a->setShortcuts(keys);
  QString shortcut;
  for (const auto& k : keys) shortcut += (shortcut.isEmpty() ? QString() : QStringLiteral(", ")) + k.toString(QKeySequence::NativeText);
  a->setToolTip(shortcut.isEmpty() ? tip : QStringLiteral("%1 (%2)").arg(tip, shortcut));
  a->setShortcutContext(Qt::WindowShortcut);
  return a;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      watcher_(new QFileSystemWatcher(this)),
      events_(new EventTableModel(this)),
      filter_(new KindNodeFilter(this)),
      table_(new QTableView),
      filter_edit_(new QLineEdit),
      kind_combo_(new QComboBox),
      endpoint_combo_(new QComboBox),
      header_(new QLabel),
      messages_(new QPlainTextEdit),
      modified_bar_(new QWidget),
      modified_label_(new QLabel),
      diagram_(new SequenceView),
      axis_combo_(new QComboBox),
      timeline_(new StateTimeline),
      load_view_(new LoadView),
      state_diagram_(new StateDiagram),
      follow_combo_(new QComboBox),
      why_label_(new QLabel),
      inspector_(new Inspector),
      whatif_(new WhatIfPanel),
      library_(new LibraryBrowser),
      tabs_(new QTabWidget),
      breakpoint_edit_(new QLineEdit),
      speed_(new QComboBox),
      position_(new QLabel),
      counts_(new QLabel),
      recent_menu_(nullptr) {
  setWindowTitle(QStringLiteral("tcpsim-gui"));
  setAcceptDrops(true);
  build_actions();
  build_layout();

  connect(&play_timer_, &QTimer::timeout, this, [this] { play_tick(); });
  connect(watcher_, &QFileSystemWatcher::fileChanged, this, [this](const QString& file) {
    if (file != path_) return;
    // Editors often replace the file: watch the new one, then reload it.
    watch(file);
    if (QFileInfo::exists(file)) {
      reload();
      note(QStringLiteral("%1 changed on disk: reloaded").arg(QFileInfo(file).fileName()));
    }
  });
  whatif_->on_rerun([this] { rerun_from_panel(); });
  whatif_->on_save([this] {
    const QString file = QFileDialog::getSaveFileName(this, QStringLiteral("Save the modified scenario"),
                                                      QFileInfo(path_).path(), QStringLiteral("Scenarios (*.json)"));
    if (!file.isEmpty()) save_scenario_as(file);
  });
  whatif_->on_segment_action([this](trace::FaultAction a, sim::Duration d) {
    if (!selected_) {
      whatif_->show_error(QStringLiteral("Select a segment first (in the event list or the diagram)."));
      return;
    }
    apply_what_if(*selected_, a, d);
  });
  library_->on_open([this](const QString& file) { open_file(file); });
  diagram_->on_record_selected([this](std::size_t index) { select_record(index); });
  diagram_->on_what_if([this](std::size_t index, WhatIfAction action, sim::Duration extra) {
    const auto a = action == WhatIfAction::Drop    ? trace::FaultAction::Drop
                   : action == WhatIfAction::Delay ? trace::FaultAction::Delay
                                                   : trace::FaultAction::Duplicate;
    apply_what_if(index, a, extra);
  });
  library_->set_folder(default_library_dir());

  resize(1280, 800);
  refresh();
}

MainWindow::~MainWindow() {
  // The views must not outlive the traces they read (the runs go before the child widgets).
  pause();
  events_->set_trace(nullptr);
  diagram_->clear();
  for (RunView* v : views_) v->show_run({});
}

void MainWindow::add_run_view(RunView* view) {
  ViewHost host;
  host.set_cursor = [this](std::size_t n) { set_cursor(n); };
  host.select_record = [this](std::size_t n) { select_record(n); };
  host.note = [this](const QString& text) { note(text); };
  host.scenario_path = [this] { return path_; };
  view->attach(host);
  views_.push_back(view);
  // Views come after the run's own pages (events, timeline), before the editing and library tabs.
  const int before = tabs_->indexOf(whatif_);
  tabs_->insertTab(before < 0 ? tabs_->count() : before, view->widget(), view->title());
  view->show_run(shown_runs());
  view->set_cursor(cursor_);
}

ShownRuns MainWindow::shown_runs() const {
  ShownRuns runs;
  runs.run = shown_run();
  runs.other = showing_previous_ ? run_.get() : previous_.get();
  runs.showing_previous = showing_previous_;
  return runs;
}

void MainWindow::build_actions() {
  open_ = make(this, QStringLiteral("&Open…"), {QKeySequence::Open}, QStringLiteral("Open a scenario file"));
  reload_ = make(this, QStringLiteral("&Reload"), {QKeySequence(Qt::Key_F6)}, QStringLiteral("Load the file again"));
  save_ = make(this, QStringLiteral("&Save scenario as…"), {QKeySequence::SaveAs}, QStringLiteral("Write the scenario with its what-if edits"));
  export_png_ = make(this, QStringLiteral("Export diagram as &PNG…"), {}, QStringLiteral("The sequence diagram as an image"));
  export_svg_ = make(this, QStringLiteral("Export diagram as S&VG…"), {}, QStringLiteral("The sequence diagram as SVG"));
  export_tl_ = make(this, QStringLiteral("Export state &timeline as PNG…"), {}, QStringLiteral("The state timeline as an image"));
  quit_ = make(this, QStringLiteral("&Quit"), {QKeySequence::Quit}, QStringLiteral("Quit"));
  step_fwd_ = make(this, QStringLiteral("Step ▶"), {QKeySequence(Qt::Key_Right), QKeySequence(Qt::Key_F10)}, QStringLiteral("Reveal the next event"));
  step_back_ = make(this, QStringLiteral("◀ Back"), {QKeySequence(Qt::Key_Left), QKeySequence(Qt::SHIFT | Qt::Key_F10)}, QStringLiteral("Hide the last event"));
  next_state_ = make(this, QStringLiteral("State ▶▶"), {QKeySequence(Qt::SHIFT | Qt::Key_Right)}, QStringLiteral("Go to the next state change"));
  prev_state_ = make(this, QStringLiteral("◀◀ State"), {QKeySequence(Qt::SHIFT | Qt::Key_Left)}, QStringLiteral("Go back to the previous state change"));
  to_start_ = make(this, QStringLiteral("|◀ Start"), {QKeySequence(Qt::Key_Home)}, QStringLiteral("Back to the start"));
  to_end_ = make(this, QStringLiteral("End ▶|"), {QKeySequence(Qt::Key_End)}, QStringLiteral("Reveal everything"));
  play_ = make(this, QStringLiteral("Play"), {QKeySequence(Qt::Key_Space)}, QStringLiteral("Play / pause"));
  play_->setCheckable(true);
  jump_ = make(this, QStringLiteral("Jump…"), {QKeySequence(Qt::CTRL | Qt::Key_G)}, QStringLiteral("Jump to an event number or a time"));
  run_bp_ = make(this, QStringLiteral("Run to breakpoint"), {QKeySequence(Qt::Key_F5)}, QStringLiteral("Reveal events until a breakpoint hits"));
  prev_run_ = make(this, QStringLiteral("Previous run"), {QKeySequence(Qt::CTRL | Qt::Key_P)}, QStringLiteral("Show the run before the last what-if edit"));
  prev_run_->setCheckable(true);
  find_ = make(this, QStringLiteral("&Filter events"), {QKeySequence::Find}, QStringLiteral("Filter the event list"));

  connect(open_, &QAction::triggered, this, [this] { open_dialog(); });
  connect(reload_, &QAction::triggered, this, [this] { reload(); });
  connect(save_, &QAction::triggered, this, [this] {
    const QString file = QFileDialog::getSaveFileName(this, QStringLiteral("Save scenario"), QFileInfo(path_).path(),
                                                      QStringLiteral("Scenarios (*.json)"));
    if (!file.isEmpty()) save_scenario_as(file);
  });
  connect(export_png_, &QAction::triggered, this, [this] {
    const QString f = QFileDialog::getSaveFileName(this, QStringLiteral("Export diagram"), QString(), QStringLiteral("PNG (*.png)"));
    if (!f.isEmpty()) export_diagram_png(f);
  });
  connect(export_svg_, &QAction::triggered, this, [this] {
    const QString f = QFileDialog::getSaveFileName(this, QStringLiteral("Export diagram"), QString(), QStringLiteral("SVG (*.svg)"));
    if (!f.isEmpty()) export_diagram_svg(f);
  });
  connect(export_tl_, &QAction::triggered, this, [this] {
    const QString f = QFileDialog::getSaveFileName(this, QStringLiteral("Export timeline"), QString(), QStringLiteral("PNG (*.png)"));
    if (!f.isEmpty()) export_timeline_png(f);
  });
  connect(quit_, &QAction::triggered, this, [this] { close(); });
  connect(step_fwd_, &QAction::triggered, this, [this] { step_forward(); });
  connect(step_back_, &QAction::triggered, this, [this] { step_back(); });
  connect(next_state_, &QAction::triggered, this, [this] { next_state_change(); });
  connect(prev_state_, &QAction::triggered, this, [this] { previous_state_change(); });
  connect(to_start_, &QAction::triggered, this, [this] { set_cursor(0); });
  connect(to_end_, &QAction::triggered, this, [this] { set_cursor(size()); });
  connect(play_, &QAction::triggered, this, [this](bool on) { on ? play() : pause(); });
  connect(jump_, &QAction::triggered, this, [this] {
    bool ok = false;
    const QString text = QInputDialog::getText(this, QStringLiteral("Jump"), QStringLiteral("Event number (42) or time (1.5s, 300ms):"),
                                               QLineEdit::Normal, QString(), &ok);
    if (ok) jump_to(text);
  });
  connect(run_bp_, &QAction::triggered, this, [this] {
    if (set_breakpoints(breakpoint_edit_->text())) run_to_breakpoint();
  });
  connect(prev_run_, &QAction::toggled, this, [this](bool on) { show_previous_run(on); });
  connect(find_, &QAction::triggered, this, [this] {
    tabs_->setCurrentIndex(0);
    filter_edit_->setFocus();
    filter_edit_->selectAll();
  });

  build_menus();
  build_toolbar();
}

void MainWindow::build_menus() {
  auto* file_menu = menuBar()->addMenu(QStringLiteral("&File"));
  file_menu->addAction(open_);
  recent_menu_ = file_menu->addMenu(QStringLiteral("Open &recent"));
  file_menu->addAction(reload_);
  file_menu->addAction(save_);
  file_menu->addSeparator();
  file_menu->addAction(export_png_);
  file_menu->addAction(export_svg_);
  file_menu->addAction(export_tl_);
  file_menu->addSeparator();
  file_menu->addAction(quit_);
  auto* step_menu = menuBar()->addMenu(QStringLiteral("&Step"));
  for (auto* a : {step_fwd_, step_back_, next_state_, prev_state_, to_start_, to_end_, play_, jump_, run_bp_}) step_menu->addAction(a);
  step_menu->addSeparator();
  step_menu->addAction(find_);
  auto* view_menu = menuBar()->addMenu(QStringLiteral("&View"));
  view_menu->addAction(prev_run_);
  fill_recent_menu();
}

void MainWindow::build_toolbar() {
  auto* bar = addToolBar(QStringLiteral("Stepping"));
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  bar->addAction(open_);
  bar->addSeparator();
  for (auto* a : {to_start_, prev_state_, step_back_, step_fwd_, next_state_, to_end_}) bar->addAction(a);
  bar->addSeparator();
  bar->addAction(play_);
  speed_->addItems({QStringLiteral("1 ev/s"), QStringLiteral("2 ev/s"), QStringLiteral("5 ev/s"), QStringLiteral("10 ev/s"),
                    QStringLiteral("25 ev/s"), QStringLiteral("100 ev/s")});
  speed_->setCurrentIndex(2);
  speed_->setToolTip(QStringLiteral("Play speed"));
  bar->addWidget(speed_);
  connect(speed_, &QComboBox::currentIndexChanged, this, [this] {
    if (playing()) play();
  });
  bar->addSeparator();
  bar->addAction(jump_);
  breakpoint_edit_->setPlaceholderText(QStringLiteral("breakpoint: when client enters TIME-WAIT; when a segment is dropped"));
  breakpoint_edit_->setClearButtonEnabled(true);
  breakpoint_edit_->setMinimumWidth(300);
  connect(breakpoint_edit_, &QLineEdit::returnPressed, this, [this] {
    if (set_breakpoints(breakpoint_edit_->text())) run_to_breakpoint();
  });
  bar->addWidget(breakpoint_edit_);
  bar->addAction(run_bp_);
  bar->addSeparator();
  bar->addAction(prev_run_);
}

void MainWindow::build_layout() {
  build_header();
  tabs_->addTab(build_events_page(), QStringLiteral("Events"));
  tabs_->addTab(whatif_, QStringLiteral("What-if"));
  auto* lib_page = new QWidget;
  auto* lib_text = new QLabel(QStringLiteral("Double-click a scenario to open it."));
  lib_text->setWordWrap(true);
  lib_text->setContentsMargins(4, 2, 4, 2);
  connect(library_, &QTreeWidget::currentItemChanged, this, [lib_text](QTreeWidgetItem* item) {
    if (item != nullptr && !item->data(0, Qt::UserRole).toString().isEmpty())
      lib_text->setText(QStringLiteral("<b>%1</b> — %2").arg(item->text(0).toHtmlEscaped(), item->text(1).toHtmlEscaped()));
  });
  auto* lib_layout = new QVBoxLayout(lib_page);
  lib_layout->setContentsMargins(0, 0, 0, 0);
  lib_layout->addWidget(library_, 1);
  lib_layout->addWidget(lib_text);
  tabs_->addTab(lib_page, QStringLiteral("Library"));
  add_view(new TimelineTab(timeline_));
  add_view(load_view_);
  add_view(new CompareView);
  add_view(new LearnView);
  QWidget* right = build_right_column();
  QWidget* diagram_page = build_diagram_page();
  // Left: the sequence diagram over the tabs; right: the state diagram over the inspector.
  auto* left = new QSplitter(Qt::Vertical);
  left->addWidget(diagram_page);
  left->addWidget(tabs_);
  left->setSizes({430, 250});
  left->setChildrenCollapsible(false);
  auto* main_split = new QSplitter(Qt::Horizontal);
  main_split->addWidget(left);
  main_split->addWidget(right);
  main_split->setStretchFactor(0, 3);
  main_split->setStretchFactor(1, 2);
  main_split->setSizes({790, 480});

  auto* central = new QWidget;
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(4, 2, 4, 2);
  layout->setSpacing(2);
  layout->addWidget(header_);
  layout->addWidget(messages_);
  layout->addWidget(modified_bar_);
  layout->addWidget(main_split, 1);
  setCentralWidget(central);

  statusBar()->addWidget(position_);
  statusBar()->addPermanentWidget(counts_);
}

void MainWindow::build_header() {
  header_->setWordWrap(true);
  header_->setTextFormat(Qt::RichText);
  header_->setContentsMargins(4, 2, 4, 2);
  messages_->setReadOnly(true);
  messages_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  messages_->setLineWrapMode(QPlainTextEdit::NoWrap);
  messages_->setMaximumHeight(160);
  messages_->hide();

  auto* save_mod = new QPushButton(QStringLiteral("Save as new scenario…"));
  auto* to_diff = new QPushButton(QStringLiteral("Go to first difference"));
  connect(to_diff, &QPushButton::clicked, this, [this] { go_to_divergence(); });
  auto* bar_layout = new QHBoxLayout(modified_bar_);
  bar_layout->setContentsMargins(6, 2, 6, 2);
  bar_layout->addWidget(modified_label_, 1);
  bar_layout->addWidget(to_diff);
  bar_layout->addWidget(save_mod);
  modified_bar_->setStyleSheet(QStringLiteral("background:#fff4c2"));
  modified_label_->setWordWrap(true);
  modified_bar_->hide();
  connect(save_mod, &QPushButton::clicked, this, [this] {
    const QString base = QFileInfo(path_).path() + QLatin1Char('/') + QFileInfo(path_).completeBaseName() + QStringLiteral("-whatif.json");
    const QString file = QFileDialog::getSaveFileName(this, QStringLiteral("Save the modified scenario"), base, QStringLiteral("Scenarios (*.json)"));
    if (!file.isEmpty()) save_scenario_as(file);
  });

}

// The event list with its filters.
QWidget* MainWindow::build_events_page() {
  filter_->setSourceModel(events_);
  table_->setModel(filter_);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 4);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setAlternatingRowColors(true);
  table_->setWordWrap(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
  table_->setColumnWidth(EventTableModel::Index, 48);
  table_->setColumnWidth(EventTableModel::Time, 80);
  table_->setColumnWidth(EventTableModel::Kind, 82);
  table_->setColumnWidth(EventTableModel::Node, 60);
  table_->setColumnWidth(EventTableModel::Summary, 560);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    if (!current.isValid() || syncing_) return;
    const auto row = static_cast<std::size_t>(filter_->mapToSource(current).row());
    if (!selected_ || *selected_ != row) select_record(row);
  });
  kind_combo_->addItem(QStringLiteral("all kinds"), QString());
  for (const char* k : {"send", "deliver", "drop", "duplicate", "delay", "corrupt", "state", "timer", "call", "notify", "note"})
    kind_combo_->addItem(QString::fromLatin1(k), QString::fromLatin1(k));
  connect(kind_combo_, &QComboBox::currentIndexChanged, this, [this] { filter_->set_kind(kind_combo_->currentData().toString()); });
  endpoint_combo_->addItem(QStringLiteral("all endpoints"), QString());
  connect(endpoint_combo_, &QComboBox::currentIndexChanged, this, [this] { filter_->set_endpoint(endpoint_combo_->currentData().toString()); });
  filter_edit_->setPlaceholderText(QStringLiteral("words in kind or node, e.g. \"drop r1\""));
  filter_edit_->setClearButtonEnabled(true);
  connect(filter_edit_, &QLineEdit::textChanged, this, [this](const QString& text) { filter_->set_pattern(text); });
  auto* events_page = new QWidget;
  auto* filters = new QHBoxLayout;
  filters->addWidget(new QLabel(QStringLiteral("Show")));
  filters->addWidget(kind_combo_);
  filters->addWidget(endpoint_combo_);
  filters->addWidget(filter_edit_, 1);
  auto* ev_layout = new QVBoxLayout(events_page);
  ev_layout->setContentsMargins(2, 2, 2, 2);
  ev_layout->addLayout(filters);
  ev_layout->addWidget(table_, 1);

  return events_page;
}

// The RFC state diagram (following one connection) and its why, over the inspector.
QWidget* MainWindow::build_right_column() {
  follow_combo_->addItem(QStringLiteral("follow: the last transition"), -1);
  connect(follow_combo_, &QComboBox::currentIndexChanged, this, [this] {
    // A crowded run's timeline draws only the endpoint followed here.
    const int follow = follow_combo_->currentData().toInt();
    timeline_->set_selected(follow < 0 ? std::vector<std::size_t>{} : std::vector<std::size_t>{static_cast<std::size_t>(follow)});
    refresh_state_diagram();
  });
  auto* right = new QSplitter(Qt::Vertical);
  auto* sd_page = new QWidget;
  auto* sd_layout = new QVBoxLayout(sd_page);
  sd_layout->setContentsMargins(0, 0, 0, 0);
  sd_layout->setSpacing(2);
  sd_layout->addWidget(follow_combo_);
  sd_layout->addWidget(state_diagram_, 1);
  why_label_->setWordWrap(true);
  why_label_->setTextFormat(Qt::RichText);
  why_label_->setContentsMargins(4, 2, 4, 2);
  why_label_->setStyleSheet(QStringLiteral("background:#fffbe6; border:1px solid #e6d9a8"));
  why_label_->setMinimumHeight(why_label_->fontMetrics().height() * 2 + 8);
  sd_layout->addWidget(why_label_);
  right->addWidget(sd_page);
  right->addWidget(inspector_);
  right->setSizes({400, 300});
  right->setChildrenCollapsible(false);

  return right;
}

// The sequence diagram with its display options.
QWidget* MainWindow::build_diagram_page() {
  axis_combo_->addItem(QStringLiteral("time: compressed"), static_cast<int>(diagram::TimeAxis::Compressed));
  axis_combo_->addItem(QStringLiteral("time: linear"), static_cast<int>(diagram::TimeAxis::Linear));
  axis_combo_->addItem(QStringLiteral("one row per event"), static_cast<int>(diagram::TimeAxis::EventStep));
  axis_combo_->setToolTip(QStringLiteral("Compressed: long idle gaps (RTO backoff, 2MSL) squeezed with a break mark"));
  absolute_ = new QAction(QStringLiteral("absolute seq/ack"), this);
  absolute_->setCheckable(true);
  absolute_->setToolTip(QStringLiteral("Absolute sequence numbers instead of relative to each side's ISN"));
  window_ = new QAction(QStringLiteral("windows"), this);
  window_->setCheckable(true);
  window_->setToolTip(QStringLiteral("Show the advertised window on each arrow"));
  auto apply_options = [this] {
    diagram::Options o = diagram_->options();
    o.axis = static_cast<diagram::TimeAxis>(axis_combo_->currentData().toInt());
    o.absolute = absolute_->isChecked();
    o.show_window = window_->isChecked();
    diagram_->set_options(o);
    diagram_->set_cursor(cursor_);
    trace::LabelOptions labels;  // the event list labels segments as the diagram does
    labels.absolute = o.absolute;
    labels.window = o.show_window ? trace::LabelOptions::Window::Always : trace::LabelOptions::Window::Changed;
    events_->set_label_options(labels);
  };
  connect(axis_combo_, &QComboBox::currentIndexChanged, this, apply_options);
  connect(absolute_, &QAction::toggled, this, apply_options);
  connect(window_, &QAction::toggled, this, apply_options);
  auto* zoom_in = new QAction(QStringLiteral("+"), this);
  zoom_in->setToolTip(QStringLiteral("Zoom in (Ctrl+wheel)"));
  connect(zoom_in, &QAction::triggered, this, [this] { diagram_->zoom_in(); });
  auto* zoom_out = new QAction(QStringLiteral("−"), this);
  zoom_out->setToolTip(QStringLiteral("Zoom out (Ctrl+wheel)"));
  connect(zoom_out, &QAction::triggered, this, [this] { diagram_->zoom_out(); });
  auto* diagram_bar = new QToolBar;
  diagram_bar->setIconSize(QSize(12, 12));
  diagram_bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  diagram_bar->addWidget(axis_combo_);
  diagram_bar->addAction(absolute_);
  diagram_bar->addAction(window_);
  diagram_bar->addSeparator();
  diagram_bar->addAction(zoom_out);
  diagram_bar->addAction(zoom_in);
  auto* diagram_page = new QWidget;
  auto* dp_layout = new QVBoxLayout(diagram_page);
  dp_layout->setContentsMargins(0, 0, 0, 0);
  dp_layout->setSpacing(0);
  dp_layout->addWidget(diagram_bar);
  dp_layout->addWidget(diagram_, 1);
  return diagram_page;
}

// --- files ---

void MainWindow::open_dialog() {
  QString dir = path_.isEmpty() ? library_->folder() : QFileInfo(path_).path();
  if (!QFileInfo(dir).isDir()) dir = QDir::currentPath();
  const QString file = QFileDialog::getOpenFileName(this, QStringLiteral("Open scenario"), dir,
                                                    QStringLiteral("Scenarios (*.json);;All files (*)"));
  if (!file.isEmpty()) open_file(file);
}

bool MainWindow::open_file(const QString& path) {
  pause();
  path_ = path;
  watch(path);
  setWindowTitle(QStringLiteral("tcpsim-gui — %1").arg(QFileInfo(path).fileName()));
  scenario::LoadResult result;
  try {
    result = scenario::load_file(path.toStdString());
  } catch (const std::exception& e) {
    result.errors.push_back({path.toStdString(), 0, 0, "", e.what()});
  }
  if (!result.ok()) {
    scenario_.reset();
    install_run(nullptr, false);
    QString text;
    for (const auto& d : result.errors) text += QString::fromStdString(d.to_string()) + QLatin1Char('\n');
    if (result.errors.empty()) text = QStringLiteral("%1: the loader gave no scenario and no reason\n").arg(path);
    const auto n = result.errors.size();
    show_messages(QStringLiteral("Could not load %1 (%2 error%3)").arg(path).arg(n).arg(n == 1 ? "" : "s"), text);
    refresh();
    return false;
  }
  scenario_ = std::move(result.scenario);
  modified_ = false;
  {
    QFile f(path);
    expect_json_ = f.open(QIODevice::ReadOnly) ? scenario::expect_block(f.readAll().toStdString()) : std::string();
  }
  add_recent(path);
  install_run(run_scenario(*scenario_), false);
  return run_ != nullptr && run_->world != nullptr;
}

bool MainWindow::reload() {
  if (path_.isEmpty()) return false;
  const std::size_t keep = cursor_;
  const bool ok = open_file(path_);
  if (ok) set_cursor(keep);
  return ok;
}

bool MainWindow::save_scenario_as(const QString& path) {
  if (!scenario_) return false;
  QFile f(path);
  const std::string text = scenario::write_scenario(*scenario_, expect_json_);
  if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text.data(), static_cast<qint64>(text.size())) < 0) {
    note(QStringLiteral("Could not write %1").arg(path));
    return false;
  }
  f.close();
  note(expect_json_.empty() || !modified_
           ? QStringLiteral("Saved %1").arg(path)
           : QStringLiteral("Saved %1 (its expect block is the original's: the edit may make it fail)").arg(path));
  modified_bar_->hide();
  return true;
}

QStringList MainWindow::recent_files() const { return QSettings().value(kRecentKey).toStringList(); }

QStringList MainWindow::watched_files() const { return watcher_->files(); }

void MainWindow::add_recent(const QString& path) {
  QSettings settings;
  QStringList files = settings.value(kRecentKey).toStringList();
  const QString abs = QFileInfo(path).absoluteFilePath();
  files.removeAll(abs);
  files.prepend(abs);
  while (files.size() > kMaxRecent) files.removeLast();
  settings.setValue(kRecentKey, files);
  fill_recent_menu();
}

void MainWindow::fill_recent_menu() {
  recent_menu_->clear();
  const QStringList files = recent_files();
  for (const QString& f : files) {
    auto* a = recent_menu_->addAction(QFileInfo(f).fileName());
    a->setToolTip(f);
    connect(a, &QAction::triggered, this, [this, f] { open_file(f); });
  }
  recent_menu_->setEnabled(!files.isEmpty());
}

void MainWindow::watch(const QString& path) {
  if (!watcher_->files().isEmpty()) watcher_->removePaths(watcher_->files());
  if (QFileInfo::exists(path)) watcher_->addPath(path);
}

void MainWindow::show_messages(const QString& title, const QString& text) {
  header_->setText(QStringLiteral("<b style='color:#b01c1c'>%1</b>").arg(title.toHtmlEscaped()));
  messages_->setPlainText(text);
  messages_->show();
}

void MainWindow::note(const QString& text) { statusBar()->showMessage(text, 8000); }

// --- export ---

bool MainWindow::export_timeline_png(const QString& path) {
  const bool ok = timeline_->export_png(path);
  note(ok ? QStringLiteral("Wrote %1").arg(path) : QStringLiteral("Could not write %1").arg(path));
  return ok;
}

bool MainWindow::export_diagram_svg(const QString& path) {
  const bool ok = diagram_->export_svg(path);
  note(ok ? QStringLiteral("Wrote %1").arg(path) : QStringLiteral("Could not write %1").arg(path));
  return ok;
}

bool MainWindow::export_diagram_png(const QString& path) {
  const bool ok = diagram_->export_png(path);
  note(ok ? QStringLiteral("Wrote %1").arg(path) : QStringLiteral("Could not write %1").arg(path));
  return ok;
}

bool MainWindow::save_screenshot(const QString& path) { return grab().save(path); }

}  // namespace tcpsim::gui
