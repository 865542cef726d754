#include "gui/library.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QHeaderView>
#include <map>

#include "sim/scenario/loader.hpp"

namespace tcpsim::gui {

QString default_library_dir() {
  const QString env = qEnvironmentVariable("TCPSIM_SCENARIOS");
  if (!env.isEmpty() && QFileInfo(env).isDir()) return env;
  const QString exe = QCoreApplication::applicationDirPath();
  for (const QString& c : {exe + QStringLiteral("/scenarios"), exe + QStringLiteral("/../scenarios"),
                           exe + QStringLiteral("/../../scenarios"), QDir::current().filePath(QStringLiteral("scenarios"))})
    if (QFileInfo(c + QStringLiteral("/README.md")).exists()) return QDir::cleanPath(c);
  return QStringLiteral(TCPSIM_SCENARIO_DIR);
}

LibraryBrowser::LibraryBrowser(QWidget* parent) : QTreeWidget(parent) {
  setColumnCount(2);
  setHeaderLabels({QStringLiteral("scenario"), QStringLiteral("description")});
  header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  header()->setStretchLastSection(true);
  setAlternatingRowColors(true);
  connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item, int) {
    const QString file = item->data(0, Qt::UserRole).toString();
    if (!file.isEmpty() && open_) open_(file);
  });
}

void LibraryBrowser::set_folder(const QString& dir) {
  dir_ = dir;
  clear();
  std::map<QString, QStringList> groups;  // sorted: same order on every machine
  QDirIterator it(dir, {QStringLiteral("*.json")}, QDir::Files, QDirIterator::Subdirectories);
  while (it.hasNext()) {
    const QString file = it.next();
    groups[QFileInfo(QDir(dir).relativeFilePath(file)).path()] << file;
  }
  for (auto& [group, files] : groups) {
    files.sort();
    auto* top = new QTreeWidgetItem(this, {group == QStringLiteral(".") ? QStringLiteral("(top)") : group + QLatin1Char('/')});
    QFont bold = top->font(0);
    bold.setBold(true);
    top->setFont(0, bold);
    for (const QString& file : files) {
      const auto r = scenario::load_file(file.toStdString());
      QString name = QFileInfo(file).completeBaseName();
      QString desc;
      if (r.ok()) {
        desc = QString::fromStdString(r.scenario->description);
      } else {
        desc = QStringLiteral("invalid: ") + (r.errors.empty() ? QString() : QString::fromStdString(r.errors.front().message));
      }
      auto* item = new QTreeWidgetItem(top, {name, desc});
      item->setData(0, Qt::UserRole, file);
      item->setToolTip(0, file);
      item->setToolTip(1, desc);
      if (!r.ok()) item->setForeground(1, QColor(0xb0, 0x1c, 0x1c));
    }
  }
  expandAll();
}

QStringList LibraryBrowser::files() const {
  QStringList out;
  for (int i = 0; i < topLevelItemCount(); ++i)
    for (int j = 0; j < topLevelItem(i)->childCount(); ++j) out << topLevelItem(i)->child(j)->data(0, Qt::UserRole).toString();
  return out;
}

}  // namespace tcpsim::gui
