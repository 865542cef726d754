// Loads a scenario in the GUI's main window (offscreen) and steps the cursor forward N times,
// timing each step: prints the time to open (run + first layout) and the median, 90th percentile
// and worst step. bench/gui_step.sh runs it under /usr/bin/time -v for the whole process's wall
// time and peak RSS.
//   gui_step_bench FILE [STEPS] [TAB]   (TAB: the bottom tab shown while stepping, default 0)
#include <QApplication>
#include <QTabWidget>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "gui/load_view.hpp"
#include "gui/main_window.hpp"
#include "gui/sequence_view.hpp"
#include "gui/state_timeline.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gui_step_bench FILE [STEPS] [TAB]\n");
    return 2;
  }
  const int steps = argc > 2 ? std::atoi(argv[2]) : 200;
  const int tab = argc > 3 ? std::atoi(argv[3]) : 0;
  QApplication app(argc, argv);
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };

  tcpsim::gui::MainWindow w;
  w.resize(1280, 800);
  w.show();
  QApplication::processEvents();
  const auto t0 = Clock::now();
  if (!w.open_file(QString::fromLocal8Bit(argv[1]))) {
    std::fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  w.tabs()->setCurrentIndex(tab);
  QApplication::processEvents();
  const double open_ms = ms(Clock::now() - t0);

  // Start in the middle of the run, where the views hold the most.
  w.set_cursor(w.size() / 2);
  QApplication::processEvents();
  std::vector<double> times;
  for (int i = 0; i < steps; ++i) {
    const auto s = Clock::now();
    w.step_forward();
    QApplication::processEvents();  // the repaint is part of a step
    times.push_back(ms(Clock::now() - s));
  }
  // Where a step goes: each view's own cursor update, timed alone on the same records.
  auto median_of = [&](auto&& f) {
    std::vector<double> t;
    for (int i = 0; i < 9; ++i) {
      const std::size_t c = w.cursor() - static_cast<std::size_t>(9 - i);
      const auto s = Clock::now();
      f(c);
      t.push_back(ms(Clock::now() - s));
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
  };
  const double diagram_ms = median_of([&](std::size_t c) { w.diagram()->set_cursor(c); });
  const double timeline_ms = median_of([&](std::size_t c) { w.timeline()->set_cursor(c); });
  const double load_ms = median_of([&](std::size_t c) {
    w.load_view()->set_cursor(c);
    if (!w.load_view()->isVisible()) w.load_view()->set_cursor(c);  // hidden: it only marks itself stale
  });
  std::sort(times.begin(), times.end());
  const auto at = [&](double q) { return times.empty() ? 0.0 : times[static_cast<std::size_t>(q * static_cast<double>(times.size() - 1))]; };
  std::printf("records: %zu\nopen: %.1f ms\nsteps: %d (tab %d)\nstep median: %.2f ms\nstep p90: %.2f ms\nstep max: %.2f ms\n",
              w.size(), open_ms, steps, tab, at(0.5), at(0.9), times.empty() ? 0.0 : times.back());
  std::printf("of which, alone: diagram %.2f ms, timeline %.2f ms, load view %.2f ms%s\n", diagram_ms, timeline_ms, load_ms,
              w.load_view()->isVisible() ? "" : " (hidden)");
  return 0;
}
