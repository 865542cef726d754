// The scenario library browser: every *.json under a folder (the bundled scenarios/), grouped
// by sub-folder, with each scenario's name and description as the loader reads them (an
// invalid file shows its first error instead). Activating an entry opens it.
#pragma once

#include <QString>
#include <QTreeWidget>
#include <functional>

namespace tcpsim::gui {

// The bundled scenarios folder: $TCPSIM_SCENARIOS, else scenarios/ beside or above the
// executable or the working directory, else the source tree's.
QString default_library_dir();

class LibraryBrowser final : public QTreeWidget {
 public:
  explicit LibraryBrowser(QWidget* parent = nullptr);

  void set_folder(const QString& dir);
  const QString& folder() const { return dir_; }
  void on_open(std::function<void(const QString&)> f) { open_ = std::move(f); }
  // The file of every entry, in display order.
  QStringList files() const;

 private:
  QString dir_;
  std::function<void(const QString&)> open_;
};

}  // namespace tcpsim::gui
