#include "gui/timeline_tab.hpp"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "gui/run.hpp"
#include "gui/state_timeline.hpp"

namespace tcpsim::gui {

TimelineTab::TimelineTab(StateTimeline* timeline, QWidget* parent) : QWidget(parent), timeline_(timeline) {
  auto* axis = new QComboBox;
  axis->addItem(QStringLiteral("x: time"));
  axis->addItem(QStringLiteral("x: event number"));
  connect(axis, &QComboBox::currentIndexChanged, this, [this](int i) {
    timeline_->set_axis(i == 0 ? StateTimeline::Axis::Time : StateTimeline::Axis::Events);
  });
  auto* export_button = new QPushButton(QStringLiteral("Export PNG…"));
  connect(export_button, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getSaveFileName(this, QStringLiteral("Export timeline"), QString(), QStringLiteral("PNG (*.png)"));
    if (f.isEmpty()) return;
    const bool ok = timeline_->export_png(f);
    if (host().note) host().note(ok ? QStringLiteral("Wrote %1").arg(f) : QStringLiteral("Could not write %1").arg(f));
  });
  auto* bar = new QHBoxLayout;
  bar->addWidget(axis);
  bar->addStretch(1);
  bar->addWidget(new QLabel(QStringLiteral("click a state change to move the cursor there")));
  bar->addWidget(export_button);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->setSpacing(0);
  layout->addLayout(bar);
  layout->addWidget(timeline_, 1);
}

void TimelineTab::attach(const ViewHost& host) {
  RunView::attach(host);
  timeline_->on_cursor_requested(host.set_cursor);
}

void TimelineTab::show_run(const ShownRuns& runs) {
  const Run* r = runs.run;
  timeline_->set_run(r != nullptr ? r->trace() : nullptr, r != nullptr ? &r->connections : nullptr);
}

void TimelineTab::set_cursor(std::size_t cursor) { timeline_->set_cursor(cursor); }

}  // namespace tcpsim::gui
