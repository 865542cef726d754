// Learning mode in the Learn tab, driven through the main window: the next event stays hidden
// while its question is asked; an answer is scored, reveals the event (the window's cursor moves
// past it) and shows its rule; a teacher's question is asked where the scenario puts it; the view
// follows a cursor moved by other means; the best score per scenario survives the window.
#include <QCheckBox>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTabWidget>
#include <QtTest>
#include <variant>

#include "gui/learn_view.hpp"
#include "gui/main_window.hpp"

using tcpsim::gui::LearnView;
using tcpsim::gui::MainWindow;

namespace {

const QString kHandshake = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/rfc9293-figures/basic-three-way-handshake.json");
const QString kLostFinalAck = QStringLiteral(TCPSIM_SOURCE_DIR "/scenarios/loss/lost-final-ack.json");
const QString kOut = QStringLiteral(TCPSIM_SOURCE_DIR "/results/gui");

LearnView* learn_view(MainWindow& w) {
  for (auto* v : w.views())
    if (auto* l = dynamic_cast<LearnView*>(v)) return l;
  return nullptr;
}

// The window on `file` with the Learn tab in front and learning mode switched on by its check box.
LearnView* start(MainWindow& w, const QString& file) {
  w.resize(1280, 800);
  w.show();
  if (!w.open_file(file)) return nullptr;
  LearnView* v = learn_view(w);
  if (v == nullptr) return nullptr;
  w.tabs()->setCurrentIndex(w.tabs()->indexOf(v));
  QTest::mouseClick(v->learning_box(), Qt::LeftButton, {}, QPoint(8, v->learning_box()->height() / 2));
  return v;
}

void choose(LearnView* v, std::size_t index) {
  QRadioButton* b = v->choice_buttons()[index];
  QTest::mouseClick(b, Qt::LeftButton, {}, QPoint(6, b->height() / 2));
  QTest::mouseClick(v->reveal_button(), Qt::LeftButton);
}

}  // namespace

class LearnViewTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // One line each, so tests/gui/CMakeLists.txt does not take them for tests of their own.
  // The settings live in a directory of this process: CTest runs the test functions in parallel.
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); QVERIFY(settings_dir_.isValid()); QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settings_dir_.path()); QCoreApplication::setOrganizationName(QStringLiteral("tcpsim-learn-test")); QCoreApplication::setApplicationName(QStringLiteral("learn-view-test")); }

  void learningModeHidesTheNextEventAndAsksForIt() {
    MainWindow w;
    LearnView* v = start(w, kHandshake);
    QVERIFY(v != nullptr);
    QVERIFY(v->learning());
    QVERIFY(!v->quiz().from_teacher);
    const auto* q = v->asked();
    QVERIFY(q != nullptr);
    // The question is about the record at the cursor: the window has not revealed it.
    QCOMPARE(q->record, w.cursor());
    QVERIFY(w.cursor() < w.size());
    QVERIFY(v->question_label()->text().contains(QString::fromStdString(q->ask).toHtmlEscaped()));
    QVERIFY(v->choice_buttons()[0]->isVisible());
    QVERIFY(!v->reveal_button()->isEnabled());  // nothing chosen yet
    QVERIFY(!v->next_button()->isEnabled());    // answer or skip first
    // Stepping by other means does not reveal it either while it is asked... until the user steps:
    // then the view follows and asks the question of the new next record, if it has one.
    const std::size_t at = w.cursor();
    w.step_forward();
    QCOMPARE(w.cursor(), at + 1);
    const auto* next = v->asked();
    if (next != nullptr) QCOMPARE(next->record, w.cursor());
    w.set_cursor(at);
    QVERIFY(v->asked() == q);
  }

  void learningModeOffAsksNothingAndLeavesTheCursorAlone() {
    MainWindow w;
    w.resize(1280, 800);
    w.show();
    QVERIFY(w.open_file(kHandshake));
    LearnView* v = learn_view(w);
    QVERIFY(v != nullptr);
    QVERIFY(!v->learning());
    QVERIFY(v->asked() == nullptr);
    QVERIFY(v->quiz().questions.empty());  // automatic questions wait for learning mode
    QVERIFY(v->question_label()->text().contains(QStringLiteral("Switch on learning mode")));
    QVERIFY(!v->reveal_button()->isEnabled());
    QVERIFY(!v->next_button()->isEnabled());
    w.set_cursor(5);
    QCOMPARE(w.cursor(), std::size_t{5});
    QVERIFY(v->asked() == nullptr);
    v->set_learning(true);
    QVERIFY(!v->quiz().questions.empty());
    QVERIFY(v->asked() != nullptr);
    QVERIFY(w.cursor() >= 5);
    QCOMPARE(v->asked()->record, w.cursor());
  }

  void rightAnswerRevealsTheEventAndScoresOneOfOne() {
    MainWindow w;
    LearnView* v = start(w, kHandshake);
    QVERIFY(v != nullptr);
    const auto* q = v->asked();
    QVERIFY(q != nullptr);
    const std::size_t record = q->record;
    const std::string right = q->choices[q->answer];
    choose(v, q->answer);
    QCOMPARE(w.cursor(), record + 1);  // revealed: the diagram now draws it
    QCOMPARE(v->score_text(), QStringLiteral("1 of 1 right"));
    QVERIFY(v->score_label()->text().contains(QStringLiteral("1 of 1 right")));
    const QString result = v->result_label()->text();
    QVERIFY2(result.contains(QStringLiteral("Right!")), qPrintable(result));
    const auto revealed = tcpsim::scenario::reveal(*w.run()->trace(), *w.run()->facts, record);
    QVERIFY(!revealed.what.empty());
    QVERIFY2(result.contains(QString::fromStdString(revealed.what).toHtmlEscaped()), qPrintable(result));
    QVERIFY(result.contains(QString::fromStdString(right).toHtmlEscaped()));
  }

  void wrongAnswerScoresZeroOfOneAndShowsTheRule() {
    MainWindow w;
    LearnView* v = start(w, kHandshake);
    QVERIFY(v != nullptr);
    // A segment question: its record has a rule (the cause the sending TCP gives).
    for (int i = 0; i < 50; ++i) {
      const auto* a = v->asked();
      if (a != nullptr && a->kind == tcpsim::scenario::QuizQuestion::Kind::Segment) break;
      if (a != nullptr) v->skip();
      else if (!v->next_question()) break;
    }
    const auto* q = v->asked();
    QVERIFY(q != nullptr);
    const std::size_t record = q->record;
    const std::size_t wrong = (q->answer + 1) % q->choices.size();
    const std::string answer = q->choices[q->answer];
    choose(v, wrong);
    QCOMPARE(w.cursor(), record + 1);
    QCOMPARE(v->score_text(), QStringLiteral("0 of 1 right"));
    const QString result = v->result_label()->text();
    QVERIFY2(result.contains(QStringLiteral("Wrong.")), qPrintable(result));
    QVERIFY(result.contains(QString::fromStdString(answer).toHtmlEscaped()));
    const auto& sent = std::get<tcpsim::trace::SegmentSent>(w.run()->trace()->records()[record].body);
    QVERIFY(!sent.cause.empty());
    QVERIFY2(result.contains(QStringLiteral("Rule the TCP applied:")), qPrintable(result));
    QVERIFY2(result.contains(QString::fromStdString(std::string(sent.cause)).toHtmlEscaped()), qPrintable(result));
  }

  void skipRevealsWithoutScoring() {
    MainWindow w;
    LearnView* v = start(w, kHandshake);
    QVERIFY(v != nullptr);
    const std::size_t record = v->asked()->record;
    QTest::mouseClick(v->skip_button(), Qt::LeftButton);
    QCOMPARE(w.cursor(), record + 1);
    QCOMPARE(v->score_text(), QStringLiteral("0 of 0 right"));
    QVERIFY(v->result_label()->text().contains(QStringLiteral("Skipped.")));
  }

  void teacherQuestionIsAskedAtItsPointWithItsText() {
    MainWindow w;
    LearnView* v = start(w, kLostFinalAck);
    QVERIFY(v != nullptr);
    QVERIFY(v->quiz().from_teacher);
    QCOMPARE(v->quiz().questions.size(), std::size_t{3});
    // Learning mode moved the cursor to the first question: B's retransmitted FIN, still hidden.
    const auto* q = v->asked();
    QVERIFY(q != nullptr);
    QCOMPARE(q->pointer, std::string("/questions/0"));
    QCOMPARE(w.cursor(), q->record);
    const auto& fin = std::get<tcpsim::trace::SegmentSent>(w.run()->trace()->records()[q->record].body);
    QVERIFY(fin.seg.flags.fin && fin.retransmission);
    QVERIFY(v->question_label()->text().contains(QStringLiteral("in LAST-ACK, hears nothing for 1 s")));
    QVERIFY(v->question_label()->text().contains(QStringLiteral("Question from the scenario")));
    int shown = 0;
    for (auto* b : v->choice_buttons()) shown += b->isVisible();
    QCOMPARE(shown, 4);
    choose(v, q->answer);
    QCOMPARE(v->score_text(), QStringLiteral("1 of 1 right"));
    const QString result = v->result_label()->text();
    QVERIFY2(result.contains(QStringLiteral("Explanation:")), qPrintable(result));
    QVERIFY(result.contains(QStringLiteral("RFC 6298")));
    QVERIFY(result.contains(QStringLiteral("B → A: FIN,ACK seq=1 ack=2 (retransmission)")));
    // Between questions: the next one is a button away.
    QVERIFY(v->asked() == nullptr);
    QVERIFY(v->next_button()->isEnabled());
    QTest::mouseClick(v->next_button(), Qt::LeftButton);
    QVERIFY(v->asked() != nullptr);
    QCOMPARE(v->asked()->pointer, std::string("/questions/1"));
    QCOMPARE(w.cursor(), v->asked()->record);
    QVERIFY(v->question_label()->text().contains(QStringLiteral("What does A send?")));
  }

  void viewFollowsTheCursorMovedByOtherMeans() {
    MainWindow w;
    LearnView* v = start(w, kLostFinalAck);
    QVERIFY(v != nullptr);
    const auto& qs = v->quiz().questions;
    choose(v, 0);
    QVERIFY(!v->result_label()->text().isEmpty());
    w.set_cursor(qs[2].record);  // e.g. a jump
    QVERIFY(v->asked() == &qs[2]);
    QVERIFY(v->result_label()->text().isEmpty());  // the old result is not the story at this cursor
    QVERIFY(v->question_label()->text().contains(QStringLiteral("Which state does B enter?")));
    w.set_cursor(0);
    QVERIFY(v->asked() == nullptr);
    QVERIFY(v->question_label()->text().contains(QStringLiteral("next question is at event #%1").arg(qs[0].record)));
    v->set_learning(false);
    QVERIFY(v->asked() == nullptr);
    QVERIFY(!v->choice_buttons()[0]->isVisible());
  }

  void teacherQuestionTheRunNeverReachesIsListedAsNotAsked() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("unreached.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"name": "unreached",
  "hosts": [{"name": "client", "ip": "10.0.0.1"}, {"name": "server", "ip": "10.0.0.2"}],
  "links": [{"between": ["client", "server"], "delay": "10ms"}],
  "apps": [{"host": "server", "steps": [{"at": "0s", "do": "listen", "port": 80}]},
           {"host": "client", "steps": [{"at": "0s", "do": "connect", "to": "server:80"}]}],
  "questions": [
    {"before": {"sends": {"from": "server", "flags": "SYN,ACK"}}, "ask": "What answers the SYN?", "choices": ["SYN,ACK", "RST"], "answer": 1},
    {"before": {"sends": {"from": "server", "flags": "RST"}}, "ask": "Never asked?", "choices": ["x", "y"], "answer": 1}]})");
    f.close();
    MainWindow w;
    LearnView* v = start(w, path);
    QVERIFY(v != nullptr);
    QCOMPARE(v->quiz().questions.size(), std::size_t{1});
    QVERIFY(v->asked() != nullptr);
    QVERIFY(v->question_label()->text().contains(QStringLiteral("What answers the SYN?")));
    const QString warnings = v->warnings_label()->text();
    QVERIFY(v->warnings_label()->isVisible());
    QVERIFY2(warnings.contains(QStringLiteral("/questions/1/before")), qPrintable(warnings));
    QVERIFY2(warnings.contains(QStringLiteral("never happens in this run")), qPrintable(warnings));
  }

  void bestScoreIsKeptPerScenario() {
    QSettings().clear();
    {
      MainWindow w;
      LearnView* v = start(w, kLostFinalAck);
      QVERIFY(v != nullptr);
      QVERIFY(v->best_text().isEmpty());
      choose(v, v->asked()->answer);
      QVERIFY(v->next_question());
      choose(v, (v->asked()->answer + 1) % v->asked()->choices.size());
      QCOMPARE(v->score_text(), QStringLiteral("1 of 2 right"));
    }
    MainWindow w;
    LearnView* v = start(w, kLostFinalAck);
    QVERIFY(v != nullptr);
    QCOMPARE(v->score_text(), QStringLiteral("0 of 0 right"));
    QCOMPARE(v->best_text(), QStringLiteral("best for this scenario: 1 of 1 right"));
    QVERIFY(v->score_label()->text().contains(QStringLiteral("best for this scenario: 1 of 1 right")));
    // Another scenario has its own.
    MainWindow other;
    LearnView* o = start(other, kHandshake);
    QVERIFY(o != nullptr);
    QVERIFY(o->best_text().isEmpty());
  }

  void aWhatIfRunDoesNotCountForTheFilesBestScore() {
    QSettings().clear();
    MainWindow w;
    LearnView* v = start(w, kHandshake);
    QVERIFY(v != nullptr);
    // Drop the first segment the client sends: another scenario than the file's.
    std::size_t first = w.size();
    for (std::size_t i = 0; i < w.size() && first == w.size(); ++i)
      if (std::holds_alternative<tcpsim::trace::SegmentSent>(w.run()->trace()->records()[i].body)) first = i;
    QVERIFY(first < w.size());
    QVERIFY(w.apply_what_if(first, tcpsim::trace::FaultAction::Drop));
    QVERIFY(w.previous_run() != nullptr);
    QVERIFY(v->learning());
    if (v->asked() == nullptr) QVERIFY(v->next_question());
    choose(v, v->asked()->answer);
    QCOMPARE(v->score_text(), QStringLiteral("1 of 1 right"));
    QVERIFY(v->best_text().isEmpty());
    for (const QString& key : QSettings().allKeys()) QVERIFY2(!key.startsWith(QStringLiteral("learn/")), qPrintable(key));
  }

  void learnTabScreenshotMidScenario() {
    QVERIFY(QDir().mkpath(kOut));
    {
      // A teacher's question answered wrongly: the choices marked, the event, its rule and the
      // explanation shown.
      MainWindow w;
      LearnView* v = start(w, kLostFinalAck);
      QVERIFY(v != nullptr);
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      choose(v, v->asked()->answer);
      QVERIFY(v->next_question());
      choose(v, (v->asked()->answer + 1) % v->asked()->choices.size());
      QTest::qWait(50);  // let the layouts take the new texts' sizes
      const QString path = kOut + QStringLiteral("/learn-lost-final-ack.png");
      QVERIFY(w.grab().save(path));
      QCOMPARE(QImage(path).size(), QSize(1280, 800));
    }
    // An automatic question asked, the event still hidden.
    MainWindow w;
    LearnView* v = start(w, kHandshake);
    QVERIFY(v != nullptr);
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    for (int answered = 0; answered < 3;) {  // three right answers, then the fourth question is asked
      if (v->asked() != nullptr) {
        choose(v, v->asked()->answer);
        ++answered;
      } else {
        QVERIFY(v->next_question());
      }
    }
    if (v->asked() == nullptr) QVERIFY(v->next_question());
    QVERIFY(v->asked() != nullptr);
    QCOMPARE(v->score_text(), QStringLiteral("3 of 3 right"));
    QTest::qWait(50);
    const QString path = kOut + QStringLiteral("/learn-handshake-automatic.png");
    QVERIFY(w.grab().save(path));
    QCOMPARE(QImage(path).size(), QSize(1280, 800));
  }

 private:
  QTemporaryDir settings_dir_;
};

QTEST_MAIN(LearnViewTest)
#include "learn_view_test.moc"
