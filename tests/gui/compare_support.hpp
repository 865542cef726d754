// What the Compare tab's tests share: the tab of a window, and the first two of its painted texts
// that overlap.
#pragma once

#include <QRectF>
#include <QString>
#include <optional>
#include <utility>
#include <vector>

#include "gui/compare_view.hpp"
#include "gui/main_window.hpp"

namespace tcpsim::gui::test {

// The window's Compare tab, made the current one; nullptr if it has none.
inline CompareView* compare_tab(MainWindow& w) {
  for (RunView* v : w.views())
    if (auto* c = dynamic_cast<CompareView*>(v)) {
      w.tabs()->setCurrentIndex(w.tabs()->indexOf(c->widget()));
      return c;
    }
  return nullptr;
}

// `w` at 1280x800 on screen with `file` open, at the end of its run, and its Compare tab made the
// current one; nullptr if the file does not open or the window has no Compare tab.
inline CompareView* compare_at_end(MainWindow& w, const QString& file) {
  w.resize(1280, 800);
  w.show();
  if (!w.open_file(file)) return nullptr;
  w.set_cursor(w.size());
  return compare_tab(w);
}

// The indices of the first two rectangles that overlap (by more than half a pixel each way).
inline std::optional<std::pair<std::size_t, std::size_t>> first_overlap(const std::vector<QRectF>& rects) {
  for (std::size_t i = 0; i < rects.size(); ++i)
    for (std::size_t j = i + 1; j < rects.size(); ++j) {
      const QRectF both = rects[i].intersected(rects[j]);
      if (both.width() > 0.5 && both.height() > 0.5) return std::pair{i, j};
    }
  return std::nullopt;
}

}  // namespace tcpsim::gui::test
