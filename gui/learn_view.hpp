// The Learn view: learning mode, in which the student predicts the next event before it is shown.
//
// The window reveals records [0, cursor), so the record at the cursor is the next, hidden one.
// With learning mode on, the view asks the question of that record (scenario::make_quiz: the
// scenario's own questions, or automatic ones) with its choices; on "Reveal" it scores the
// choice, moves the window's cursor one record on (the diagram then draws the event) and shows
// the event as the diagram labels it, the rule the trace names for it and the teacher's
// explanation. "Skip" reveals without scoring; "Next question" moves the cursor to the next
// record that has a question. When the cursor moves by other means the view follows it.
//
// The score of the run on screen reads "3 of 4 right"; the best score of each scenario file is
// kept in QSettings (key "learn/best/<file, percent-encoded>": "right/asked"), except for runs of
// a what-if edit, which are not the file's scenario.
#pragma once

#include <QString>
#include <QWidget>
#include <cstddef>
#include <optional>
#include <vector>

#include "gui/run_view.hpp"
#include "sim/scenario/quiz.hpp"

class QButtonGroup;
class QCheckBox;
class QLabel;
class QPushButton;
class QRadioButton;

namespace tcpsim::gui {

class LearnView final : public QWidget, public RunView {
 public:
  explicit LearnView(QWidget* parent = nullptr);

  QWidget* widget() override { return this; }
  QString title() const override { return QStringLiteral("Learn"); }
  void show_run(const ShownRuns& runs) override;
  void set_cursor(std::size_t cursor) override;

  // Learning mode on moves the cursor to the next question (if the cursor is not at one).
  void set_learning(bool on);
  bool learning() const;
  // Scores the choice `index` of the question at the cursor and reveals its record; false when
  // no question is asked or the index names no choice.
  bool answer(std::size_t index);
  void skip();
  // Moves the cursor to the next record with a question; false when there is none.
  bool next_question();

  // The quiz of the run: a teacher's questions as soon as the run is shown, automatic ones once
  // learning mode is on.
  const scenario::Quiz& quiz() const { return quiz_; }
  // The question asked now (at the cursor), or null.
  const scenario::QuizQuestion* asked() const;
  std::size_t right() const { return right_; }
  std::size_t answered() const { return asked_; }
  QString score_text() const;   // "3 of 4 right"
  QString best_text() const;    // "best for this scenario: 5 of 6 right", or ""

  // The parts, for tests.
  QCheckBox* learning_box() { return learning_box_; }
  QLabel* question_label() { return question_; }
  const std::vector<QRadioButton*>& choice_buttons() const { return choices_; }
  QPushButton* reveal_button() { return reveal_; }
  QPushButton* skip_button() { return skip_; }
  QPushButton* next_button() { return next_; }
  QLabel* result_label() { return result_; }
  QLabel* score_label() { return score_; }
  QLabel* warnings_label() { return warnings_; }  // teacher questions not asked, and why

 private:
  void refresh();
  void ensure_quiz();  // the quiz of run_, built once
  // `open`: asked now; else answered, shown with its result.
  void show_question(const scenario::QuizQuestion& q, bool open);
  void show_result();
  void show_between();  // no question at the cursor
  void clear_choices();
  void save_best();
  QString settings_key() const;

  const Run* run_ = nullptr;
  QString path_;  // the scenario file, for the best score
  scenario::Quiz quiz_;
  bool quiz_built_ = false;
  std::size_t cursor_ = 0;
  std::size_t right_ = 0;
  std::size_t asked_ = 0;
  // The question just answered or skipped: its result is shown while the cursor stays just past it.
  struct Outcome {
    std::size_t record;
    std::optional<std::size_t> chosen;  // nullopt: skipped
  };
  std::optional<Outcome> last_;

  QCheckBox* learning_box_;
  QLabel* score_;
  QLabel* warnings_;
  QLabel* question_;
  QWidget* choice_box_;
  QButtonGroup* group_;
  std::vector<QRadioButton*> choices_;
  std::vector<QLabel*> choice_labels_;
  QPushButton* reveal_;
  QPushButton* skip_;
  QPushButton* next_;
  QLabel* result_;
};

}  // namespace tcpsim::gui
