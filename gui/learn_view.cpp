#include "gui/learn_view.hpp"

#include <QButtonGroup>
#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QSettings>
#include <QUrl>
#include <QVBoxLayout>
#include <functional>

#include "gui/run.hpp"

namespace tcpsim::gui {
namespace {

constexpr std::size_t kMaxChoices = 8;
const char* const kRight = "#2e7d32";
const char* const kWrong = "#c62828";

QString qs(const std::string& s) { return QString::fromStdString(s); }
QString html(const std::string& s) { return qs(s).toHtmlEscaped(); }
QString letter(std::size_t i) { return QString(QChar(u'A' + static_cast<char16_t>(i))); }

// A word-wrapped choice text that selects its radio button when clicked.
class ChoiceLabel final : public QLabel {
 public:
  explicit ChoiceLabel(std::function<void()> on_click) : on_click_(std::move(on_click)) {
    setWordWrap(true);
    setTextFormat(Qt::RichText);
    setCursor(Qt::PointingHandCursor);
  }

 protected:
  void mousePressEvent(QMouseEvent* e) override {
    if (isEnabled() && e->button() == Qt::LeftButton) on_click_();
    QLabel::mousePressEvent(e);
  }

 private:
  std::function<void()> on_click_;
};

std::string time_text(const trace::Trace& t, std::size_t record) {
  return sim::format_seconds(t.records()[record].time) + " s";
}

}  // namespace

LearnView::LearnView(QWidget* parent)
    : QWidget(parent),
      learning_box_(new QCheckBox(QStringLiteral("Learning mode: predict each event before it is shown"))),
      score_(new QLabel),
      warnings_(new QLabel),
      question_(new QLabel),
      choice_box_(new QWidget),
      group_(new QButtonGroup(this)),
      reveal_(new QPushButton(QStringLiteral("Reveal"))),
      skip_(new QPushButton(QStringLiteral("Skip"))),
      next_(new QPushButton(QStringLiteral("Next question ▶"))),
      result_(new QLabel) {
  auto* inner = new QWidget;
  auto* top = new QHBoxLayout;
  top->addWidget(learning_box_);
  top->addStretch(1);
  top->addWidget(score_);

  warnings_->setWordWrap(true);
  warnings_->setStyleSheet(QStringLiteral("color: #b26a00;"));
  warnings_->hide();

  question_->setWordWrap(true);
  question_->setTextFormat(Qt::RichText);
  auto* grid = new QGridLayout(choice_box_);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setVerticalSpacing(2);
  grid->setColumnStretch(1, 1);
  for (std::size_t i = 0; i < kMaxChoices; ++i) {
    auto* radio = new QRadioButton(letter(i));
    auto* text = new ChoiceLabel([radio] { radio->setChecked(true); });
    group_->addButton(radio, static_cast<int>(i));
    grid->addWidget(radio, static_cast<int>(i), 0, Qt::AlignTop);
    grid->addWidget(text, static_cast<int>(i), 1);
    choices_.push_back(radio);
    choice_labels_.push_back(text);
  }
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(reveal_);
  buttons->addWidget(skip_);
  buttons->addWidget(next_);
  buttons->addStretch(1);
  reveal_->setToolTip(QStringLiteral("Check your choice and show the event with its rule"));
  skip_->setToolTip(QStringLiteral("Show the event without answering"));
  next_->setToolTip(QStringLiteral("Reveal the events up to the next question"));

  auto* left = new QVBoxLayout;
  left->addWidget(question_);
  left->addWidget(choice_box_);
  left->addLayout(buttons);
  left->addStretch(1);

  result_->setWordWrap(true);
  result_->setTextFormat(Qt::RichText);
  result_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* columns = new QHBoxLayout;
  columns->addLayout(left, 3);
  columns->addWidget(result_, 2);

  auto* layout = new QVBoxLayout(inner);
  layout->setContentsMargins(6, 4, 6, 4);
  layout->addLayout(top);
  layout->addWidget(warnings_);
  layout->addLayout(columns, 1);

  auto* scroll = new QScrollArea;
  scroll->setWidget(inner);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->addWidget(scroll);

  connect(learning_box_, &QCheckBox::toggled, this, [this](bool on) { set_learning(on); });
  connect(group_, &QButtonGroup::idToggled, this, [this](int, bool) { reveal_->setEnabled(asked() && group_->checkedId() >= 0); });
  connect(reveal_, &QPushButton::clicked, this, [this] {
    if (group_->checkedId() >= 0) answer(static_cast<std::size_t>(group_->checkedId()));
  });
  connect(skip_, &QPushButton::clicked, this, [this] { skip(); });
  connect(next_, &QPushButton::clicked, this, [this] { next_question(); });
  refresh();
}

void LearnView::show_run(const ShownRuns& runs) {
  // A new run (a file opened or reloaded, a what-if edit, the previous run shown): a new quiz.
  run_ = runs.run;
  quiz_ = {};
  quiz_built_ = false;
  right_ = asked_ = 0;
  last_.reset();
  path_.clear();
  if (run_ != nullptr) {
    // A teacher's questions are only placed (cheap); automatic ones wait for learning mode, so
    // a large run that nobody practises on costs nothing here.
    if (!run_->scenario.questions.empty() || learning()) ensure_quiz();
    path_ = host().scenario_path ? host().scenario_path() : QString();
    if (path_.isEmpty()) path_ = qs(run_->scenario.source);
    // A what-if edit is not the file's scenario: its score is not the file's best.
    if (runs.other != nullptr) path_.clear();
  }
  refresh();
}

void LearnView::ensure_quiz() {
  if (quiz_built_ || run_ == nullptr || !run_->world || !run_->facts) return;
  quiz_ = scenario::make_quiz(*run_->world, *run_->facts);
  quiz_built_ = true;
}

void LearnView::set_cursor(std::size_t cursor) {
  cursor_ = cursor;
  if (last_ && cursor_ != last_->record + 1) last_.reset();
  refresh();
}

void LearnView::set_learning(bool on) {
  if (learning_box_->isChecked() != on) {
    learning_box_->setChecked(on);  // comes back here through toggled()
    return;
  }
  last_.reset();
  if (on) ensure_quiz();
  if (on && asked() == nullptr && next_question()) return;  // the cursor move refreshed the view
  refresh();
}

bool LearnView::learning() const { return learning_box_->isChecked(); }

const scenario::QuizQuestion* LearnView::asked() const {
  if (!learning() || run_ == nullptr || cursor_ >= run_->size()) return nullptr;
  return quiz_.at(cursor_);
}

bool LearnView::answer(std::size_t index) {
  const scenario::QuizQuestion* q = asked();
  if (q == nullptr || index >= q->choices.size()) return false;
  ++asked_;
  if (index == q->answer) ++right_;
  const std::size_t record = q->record;
  save_best();
  last_ = Outcome{record, index};
  if (host().set_cursor) host().set_cursor(record + 1);
  else set_cursor(record + 1);
  return true;
}

void LearnView::skip() {
  const scenario::QuizQuestion* q = asked();
  if (q == nullptr) return;
  const std::size_t record = q->record;
  last_ = Outcome{record, std::nullopt};
  if (host().set_cursor) host().set_cursor(record + 1);
  else set_cursor(record + 1);
}

bool LearnView::next_question() {
  if (run_ == nullptr || asked() != nullptr) return false;  // answer or skip the one asked first
  const scenario::QuizQuestion* q = quiz_.next(cursor_);
  if (q == nullptr) return false;
  last_.reset();
  if (host().set_cursor) host().set_cursor(q->record);
  else set_cursor(q->record);
  return true;
}

QString LearnView::score_text() const {
  return QStringLiteral("%1 of %2 right").arg(right_).arg(asked_);
}

QString LearnView::settings_key() const {
  return QStringLiteral("learn/best/") + QString::fromLatin1(QUrl::toPercentEncoding(path_));
}

QString LearnView::best_text() const {
  if (path_.isEmpty()) return {};
  const QStringList best = QSettings().value(settings_key()).toString().split(u'/');
  if (best.size() != 2) return {};
  return QStringLiteral("best for this scenario: %1 of %2 right").arg(best[0], best[1]);
}

void LearnView::save_best() {
  if (path_.isEmpty()) return;
  QSettings settings;
  const QStringList best = settings.value(settings_key()).toString().split(u'/');
  bool ok_right = false, ok_asked = false;
  const std::size_t best_right = best.size() == 2 ? best[0].toULongLong(&ok_right) : 0;
  const std::size_t best_asked = best.size() == 2 ? best[1].toULongLong(&ok_asked) : 0;
  const bool have = ok_right && ok_asked;
  // More right answers is better; as many with fewer questions asked is better too.
  if (!have || right_ > best_right || (right_ == best_right && asked_ < best_asked))
    settings.setValue(settings_key(), QStringLiteral("%1/%2").arg(right_).arg(asked_));
}

void LearnView::clear_choices() {
  group_->setExclusive(false);
  for (QRadioButton* b : choices_) b->setChecked(false);
  group_->setExclusive(true);
}

void LearnView::show_question(const scenario::QuizQuestion& q, bool open) {
  const QString source = q.kind == scenario::QuizQuestion::Kind::Teacher
                             ? QStringLiteral("Question from the scenario")
                             : QStringLiteral("Predict the next event");
  question_->setText(QStringLiteral("<span style='color:#555'>%1 (event #%2 at %3, %4):</span><br><b>%5</b>")
                         .arg(source)
                         .arg(q.record)
                         .arg(qs(time_text(*run_->trace(), q.record)),
                              open ? QStringLiteral("hidden until you answer") : QStringLiteral("now shown"))
                         .arg(html(q.ask)));
  clear_choices();
  for (std::size_t i = 0; i < choices_.size(); ++i) {
    const bool shown = i < q.choices.size();
    choices_[i]->setVisible(shown);
    choice_labels_[i]->setVisible(shown);
    choices_[i]->setEnabled(true);
    choice_labels_[i]->setEnabled(true);
    if (shown) choice_labels_[i]->setText(html(q.choices[i]));
  }
  choice_box_->show();
  reveal_->setEnabled(false);  // until a choice is made
  skip_->setEnabled(true);
}

void LearnView::show_result() {
  result_->clear();
  if (!last_ || run_ == nullptr || last_->record >= run_->size()) return;
  const scenario::QuizQuestion* q = quiz_.at(last_->record);
  if (q == nullptr) return;
  const scenario::Revealed r = scenario::reveal(*run_->trace(), *run_->facts, last_->record);
  const QString answer = letter(q->answer) + QStringLiteral(": ") + html(q->choices[q->answer]);
  QString text;
  if (!last_->chosen) {
    text = QStringLiteral("<b>Skipped.</b> The answer was %1").arg(answer);
  } else if (*last_->chosen == q->answer) {
    text = QStringLiteral("<b style='color:%1'>Right!</b> %2").arg(QLatin1String(kRight), answer);
  } else {
    text = QStringLiteral("<b style='color:%1'>Wrong.</b> You chose %2; the answer was %3")
               .arg(QLatin1String(kWrong), letter(*last_->chosen), answer);
  }
  text += QStringLiteral("<br><br><b>What happened</b> (event #%1 at %2):<br><tt>%3</tt>")
              .arg(last_->record)
              .arg(qs(time_text(*run_->trace(), last_->record)), html(r.what));
  if (!r.rule.empty()) text += QStringLiteral("<br><b>Rule the TCP applied:</b> %1").arg(html(r.rule));
  if (!q->explain.empty()) text += QStringLiteral("<br><b>Explanation:</b> %1").arg(html(q->explain));
  result_->setText(text);
}

void LearnView::show_between() {
  choice_box_->hide();
  reveal_->setEnabled(false);
  skip_->setEnabled(false);
  if (run_ == nullptr) {
    question_->setText(QStringLiteral("Open a scenario to practise on it."));
    return;
  }
  if (!learning()) {
    question_->setText(QStringLiteral(
        "Switch on learning mode: the next event stays hidden until you predict it (which segment is sent, "
        "which state an endpoint enters); then it is shown with the RFC rule that produced it. %1")
                           .arg(quiz_.from_teacher
                                    ? QStringLiteral("This scenario asks %1 questions of its own.").arg(quiz_.questions.size())
                                    : QStringLiteral("Questions are made from the run: one per segment sent and per state change.")));
    return;
  }
  if (const scenario::QuizQuestion* n = quiz_.next(cursor_)) {
    question_->setText(QStringLiteral("No question at this event. The next question is at event #%1 (%2): "
                                      "press <b>Next question</b> to reveal the events up to it.")
                           .arg(n->record)
                           .arg(qs(time_text(*run_->trace(), n->record))));
  } else {
    question_->setText(QStringLiteral("<b>No more questions in this run.</b> You got %1.").arg(score_text()));
  }
}

void LearnView::refresh() {
  const scenario::QuizQuestion* q = asked();
  if (q != nullptr) {
    show_question(*q, true);
  } else if (learning() && last_ && run_ != nullptr) {
    // The question just answered, its choices marked: the right one green, a wrong choice red.
    const scenario::QuizQuestion* done = quiz_.at(last_->record);
    if (done != nullptr) {
      show_question(*done, false);
      for (std::size_t i = 0; i < done->choices.size(); ++i) {
        choices_[i]->setEnabled(false);
        QString t = html(done->choices[i]);
        if (i == done->answer) t = QStringLiteral("<b style='color:%1'>%2 ✔</b>").arg(QLatin1String(kRight), t);
        else if (last_->chosen == i) t = QStringLiteral("<s style='color:%1'>%2</s> ✘").arg(QLatin1String(kWrong), t);
        choice_labels_[i]->setText(t);
        choice_labels_[i]->setEnabled(false);
      }
      if (last_->chosen) choices_[*last_->chosen]->setChecked(true);
      reveal_->setEnabled(false);
      skip_->setEnabled(false);
    } else {
      show_between();
    }
  } else {
    show_between();
  }
  next_->setEnabled(learning() && run_ != nullptr && q == nullptr && quiz_.next(cursor_) != nullptr);
  show_result();

  QString score = QStringLiteral("Score: <b>%1</b>").arg(score_text());
  if (const QString best = best_text(); !best.isEmpty()) score += QStringLiteral(" · ") + best;
  score_->setText(score);
  if (quiz_.warnings.empty()) {
    warnings_->hide();
  } else {
    QString w = QStringLiteral("Not asked: ");
    for (std::size_t i = 0; i < quiz_.warnings.size(); ++i) w += (i ? QStringLiteral("; ") : QString()) + qs(quiz_.warnings[i]);
    warnings_->setText(w);
    warnings_->show();
  }
}

}  // namespace tcpsim::gui
