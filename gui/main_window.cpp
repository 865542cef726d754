#include "gui/main_window.hpp"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>
#include <exception>

#include "gui/event_model.hpp"
#include "gui/segment_chart.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"

namespace tcpsim::gui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      events_(new EventTableModel(this)),
      filter_(new KindNodeFilter(this)),
      table_(new QTableView),
      filter_edit_(new QLineEdit),
      header_(new QLabel),
      messages_(new QPlainTextEdit),
      chart_(new SegmentChart),
      counts_(new QLabel),
      clock_(new QLabel) {
  setWindowTitle(QStringLiteral("tcpsim-gui"));

  // Actions, menus, toolbar.
  auto* open = new QAction(QStringLiteral("&Open…"), this);
  open->setShortcut(QKeySequence::Open);
  auto* quit = new QAction(QStringLiteral("&Quit"), this);
  quit->setShortcut(QKeySequence::Quit);
  step_ = new QAction(QStringLiteral("&Step"), this);
  step_->setShortcuts({QKeySequence(Qt::Key_F10), QKeySequence(Qt::Key_Right)});
  step_->setToolTip(QStringLiteral("Execute one event (F10, Right arrow)"));
  run_ = new QAction(QStringLiteral("&Run to end"), this);
  run_->setShortcut(QKeySequence(Qt::Key_F5));
  run_->setToolTip(QStringLiteral("Run until the stop time or until no event is pending (F5)"));
  restart_ = new QAction(QStringLiteral("R&estart"), this);
  restart_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  restart_->setToolTip(QStringLiteral("Rebuild the world from the scenario, back to time zero (Ctrl+R)"));
  auto* find = new QAction(QStringLiteral("&Filter"), this);
  find->setShortcut(QKeySequence::Find);

  connect(open, &QAction::triggered, this, [this] { open_dialog(); });
  connect(quit, &QAction::triggered, this, [this] { close(); });
  connect(step_, &QAction::triggered, this, [this] { step(); });
  connect(run_, &QAction::triggered, this, [this] { run_to_end(); });
  connect(restart_, &QAction::triggered, this, [this] { restart(); });
  connect(find, &QAction::triggered, this, [this] {
    filter_edit_->setFocus();
    filter_edit_->selectAll();
  });

  auto* file_menu = menuBar()->addMenu(QStringLiteral("&File"));
  file_menu->addAction(open);
  file_menu->addSeparator();
  file_menu->addAction(quit);
  auto* sim_menu = menuBar()->addMenu(QStringLiteral("&Simulation"));
  sim_menu->addAction(step_);
  sim_menu->addAction(run_);
  sim_menu->addAction(restart_);
  sim_menu->addSeparator();
  sim_menu->addAction(find);

  auto* bar = addToolBar(QStringLiteral("Simulation"));
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  bar->addAction(open);
  bar->addSeparator();
  bar->addAction(step_);
  bar->addAction(run_);
  bar->addAction(restart_);
  bar->addSeparator();
  bar->addWidget(new QLabel(QStringLiteral(" Filter: ")));
  filter_edit_->setPlaceholderText(QStringLiteral("kind or node, e.g. \"drop r1\""));
  filter_edit_->setClearButtonEnabled(true);
  filter_edit_->setMaximumWidth(320);
  bar->addWidget(filter_edit_);
  connect(filter_edit_, &QLineEdit::textChanged, this, [this](const QString& text) { filter_->set_pattern(text); });

  // Header and message area.
  header_->setWordWrap(true);
  header_->setTextFormat(Qt::RichText);
  header_->setContentsMargins(4, 2, 4, 2);
  messages_->setReadOnly(true);
  messages_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  messages_->setLineWrapMode(QPlainTextEdit::NoWrap);
  messages_->setMaximumHeight(180);
  messages_->hide();

  // Event table.
  filter_->setSourceModel(events_);
  table_->setModel(filter_);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setAlternatingRowColors(true);
  table_->setWordWrap(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
  table_->setColumnWidth(EventTableModel::Index, 48);
  table_->setColumnWidth(EventTableModel::Time, 84);
  table_->setColumnWidth(EventTableModel::Kind, 76);
  table_->setColumnWidth(EventTableModel::Node, 64);
  table_->setColumnWidth(EventTableModel::Summary, 580);

  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(table_);
  split->addWidget(chart_);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setSizes({500, 300});
  split->setChildrenCollapsible(false);
  chart_->setMinimumHeight(180);

  auto* central = new QWidget;
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(6, 4, 6, 4);
  layout->addWidget(header_);
  layout->addWidget(messages_);
  layout->addWidget(split, 1);
  setCentralWidget(central);

  counts_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  statusBar()->addWidget(counts_, 1);
  statusBar()->addPermanentWidget(clock_);

  resize(1360, 860);
  refresh();
}

MainWindow::~MainWindow() {
  events_->set_trace(nullptr);  // the model must not outlive the trace it reads
}

QString MainWindow::status_text() const { return counts_->text(); }

void MainWindow::open_dialog() {
  QString dir = path_.isEmpty() ? QDir::current().filePath(QStringLiteral("scenarios")) : QFileInfo(path_).path();
  if (!QFileInfo(dir).isDir()) dir = QDir::currentPath();
  const QString file = QFileDialog::getOpenFileName(this, QStringLiteral("Open scenario"), dir,
                                                    QStringLiteral("Scenarios (*.json);;All files (*)"));
  if (!file.isEmpty()) open_file(file);
}

bool MainWindow::open_file(const QString& path) {
  drop_world();
  scenario_.reset();
  path_ = path;
  setWindowTitle(QStringLiteral("tcpsim-gui — %1").arg(QFileInfo(path).fileName()));
  scenario::LoadResult result;
  try {
    result = scenario::load_file(path.toStdString());
  } catch (const std::exception& e) {
    show_messages(QStringLiteral("Could not load %1").arg(path), QString::fromStdString(e.what()));
    refresh();
    return false;
  }
  if (!result.ok()) {
    QString text;
    for (const auto& d : result.errors) text += QString::fromStdString(d.to_string()) + QLatin1Char('\n');
    if (result.errors.empty()) text = QStringLiteral("%1: the loader gave no scenario and no reason\n").arg(path);
    const auto n = result.errors.size();
    show_messages(QStringLiteral("Could not load %1 (%2 error%3)").arg(path).arg(n).arg(n == 1 ? "" : "s"), text);
    refresh();
    return false;
  }
  scenario_ = std::move(result.scenario);
  build_world();
  return world_ != nullptr;
}

void MainWindow::restart() {
  if (!scenario_) return;
  drop_world();
  build_world();
}

void MainWindow::drop_world() {
  events_->set_trace(nullptr);
  chart_->reset();
  world_.reset();
  failed_ = false;
}

void MainWindow::build_world() {
  messages_->clear();
  messages_->hide();
  try {
    world_ = std::make_unique<scenario::World>(*scenario_);
  } catch (const std::exception& e) {
    world_.reset();
    show_messages(QStringLiteral("Could not build the world of %1").arg(path_), QString::fromStdString(e.what()));
    refresh();
    return;
  }
  events_->set_trace(&world_->trace());
  table_->setFocus();  // so the Right arrow steps at once (the filter box keeps arrows for itself)
  const QString name = QString::fromStdString(scenario_->name).toHtmlEscaped();
  const QString desc = QString::fromStdString(scenario_->description).toHtmlEscaped();
  header_->setText(QStringLiteral("<b>%1</b> &nbsp;<span style='color:#555'>seed %2 · %3</span><br>%4")
                       .arg(name.isEmpty() ? QFileInfo(path_).fileName().toHtmlEscaped() : name)
                       .arg(world_->seed())
                       .arg(QFileInfo(path_).fileName().toHtmlEscaped(), desc));
  refresh();
}

void MainWindow::show_messages(const QString& title, const QString& text) {
  header_->setText(QStringLiteral("<b style='color:#b01c1c'>%1</b>").arg(title.toHtmlEscaped()));
  messages_->setPlainText(text);
  messages_->show();
}

void MainWindow::step() {
  if (!world_ || world_->finished() || failed_) return;
  try {
    world_->step();
  } catch (const std::exception& e) {
    failed_ = true;
    show_messages(QStringLiteral("The simulation stopped with an error"), QString::fromStdString(e.what()));
  }
  refresh();
  table_->scrollToBottom();
}

void MainWindow::run_to_end() {
  if (!world_ || world_->finished() || failed_) return;
  QApplication::setOverrideCursor(Qt::WaitCursor);
  try {
    world_->run();
  } catch (const std::exception& e) {
    failed_ = true;
    show_messages(QStringLiteral("The simulation stopped with an error"), QString::fromStdString(e.what()));
  }
  QApplication::restoreOverrideCursor();
  refresh();
  table_->scrollToBottom();
}

void MainWindow::refresh() {
  const bool live = world_ && !world_->finished() && !failed_;
  step_->setEnabled(live);
  run_->setEnabled(live);
  restart_->setEnabled(scenario_.has_value());
  if (!world_) {
    if (messages_->isHidden())
      header_->setText(QStringLiteral("Open a scenario with File &gt; Open (Ctrl+O), e.g. scenarios/net/two-hop-lossy.json"));
    counts_->setText(QStringLiteral("no world"));
    clock_->clear();
    return;
  }
  events_->sync();
  const auto now = world_->scheduler().now();
  chart_->sync(world_->trace(), now);
  counts_->setText(segment_counts_text(world_->trace().segments()));
  const QString state = failed_ ? QStringLiteral("stopped by an error")
                        : world_->finished() ? QStringLiteral("finished")
                                             : QStringLiteral("ready");
  clock_->setText(QStringLiteral("t = %1 s   events %2   records %3   %4 ")
                      .arg(QString::fromStdString(sim::format_seconds(now)))
                      .arg(world_->scheduler().executed())
                      .arg(world_->trace().records().size())
                      .arg(state));
}

bool MainWindow::save_screenshot(const QString& path) { return grab().save(path); }

}  // namespace tcpsim::gui
