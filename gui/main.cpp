// tcpsim-gui [--at N|T] [FILE]: the Qt front end. All logic lives in tcpsim_gui_lib
// (gui/main_window.*). --at reopens a run at exactly event N (same file, same seed, same run).
//
// --screenshot OUT (not in --help): open FILE, reveal its whole run (or up to --at), save the
// window to OUT and exit; used for the README picture and by the GUI tests.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>
#include <cstdio>

#include "gui/main_window.hpp"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("tcpsim-gui"));
  QApplication::setOrganizationName(QStringLiteral("tcpsim"));

  QCommandLineParser cli;
  cli.setApplicationDescription(QStringLiteral("Step through a tcpsim scenario and read its trace."));
  cli.addHelpOption();
  cli.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("scenario file to open (*.json)"), QStringLiteral("[FILE]"));
  QCommandLineOption shot(QStringLiteral("screenshot"), QStringLiteral("Run FILE to the end, save the window to OUT, exit."),
                          QStringLiteral("OUT"));
  shot.setFlags(QCommandLineOption::HiddenFromHelp);
  cli.addOption(shot);
  QCommandLineOption at(QStringLiteral("at"),
                        QStringLiteral("Open FILE with the cursor just after event N, or at time T (e.g. 1.5s)."),
                        QStringLiteral("N|T"));
  cli.addOption(at);
  cli.process(app);

  const QStringList files = cli.positionalArguments();
  if (files.size() > 1) {
    std::fprintf(stderr, "tcpsim-gui: expected at most one scenario file, got %lld\n",
                 static_cast<long long>(files.size()));
    return 2;
  }

  tcpsim::gui::MainWindow window;
  window.show();
  const bool loaded = !files.isEmpty() && window.open_file(files.front());
  if (loaded && cli.isSet(at) && !cli.isSet(shot)) window.jump_to(cli.value(at));

  if (cli.isSet(shot)) {
    if (loaded) {
      window.set_cursor(window.size());
      if (cli.isSet(at)) window.jump_to(cli.value(at));
    }
    const QString out = cli.value(shot);
    // Let the window lay itself out and paint once before grabbing it.
    QTimer::singleShot(200, &app, [&] {
      window.set_cursor(window.cursor());  // scroll the views now that they have their final size
      QApplication::processEvents();
      const bool saved = window.save_screenshot(out);
      if (!saved) std::fprintf(stderr, "tcpsim-gui: could not write %s\n", qPrintable(out));
      QApplication::exit(saved && loaded ? 0 : 1);
    });
  }
  return QApplication::exec();
}
