#include "gui/whatif.hpp"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "models/tcp/param_fields.hpp"
#include "sim/scenario/writer.hpp"

namespace tcpsim::gui {
namespace {

constexpr std::uint64_t kEvery = std::numeric_limits<std::uint64_t>::max();

std::string ordinal(std::uint64_t n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return std::to_string(n) + suffix;
}

std::string nth_text(const net::FaultRule& r) {
  if (r.first == 1 && r.last == kEvery) return "every";
  if (r.first == r.last) return std::to_string(r.first);
  if (r.last == kEvery) return std::to_string(r.first) + "-";
  return std::to_string(r.first) + "-" + std::to_string(r.last);
}

bool parse_nth(const std::string& text, net::FaultRule& r) {
  if (text == "every" || text.empty()) {
    r.first = 1;
    r.last = kEvery;
    return true;
  }
  try {
    const auto dash = text.find('-');
    std::size_t used = 0;
    if (dash == std::string::npos) {
      r.first = r.last = std::stoull(text, &used);
      return used == text.size() && r.first >= 1;
    }
    r.first = std::stoull(text.substr(0, dash), &used);
    if (used != dash || r.first < 1) return false;
    const std::string tail = text.substr(dash + 1);
    r.last = tail.empty() ? kEvery : std::stoull(tail, &used);
    return (tail.empty() || used == tail.size()) && r.first <= r.last;
  } catch (const std::exception&) {
    return false;
  }
}

std::string match_text(const net::SegmentMatch& m, const AddressBook& book) {
  auto addr = [&](const net::Ipv4& ip, std::optional<std::uint16_t> port) {
    const auto it = book.find(ip.value);
    std::string s = it == book.end() ? ip.to_string() : it->second;
    if (port) s += ":" + std::to_string(*port);
    return s;
  };
  std::string t;
  auto add = [&](const std::string& part) { t += (t.empty() ? "" : " ") + part; };
  if (m.from) add("from " + addr(*m.from, m.sport));
  else if (m.sport) add("sport " + std::to_string(*m.sport));
  if (m.to) add("to " + addr(*m.to, m.dport));
  else if (m.dport) add("dport " + std::to_string(*m.dport));
  if (m.flags) add("flags " + m.flags->to_string());
  if (m.flags_include) add("with " + m.flags_include->to_string());
  if (m.seq) add("seq " + std::to_string(m.seq->raw()));
  if (m.ack) add("ack " + std::to_string(m.ack->raw()));
  if (m.len) add("len " + std::to_string(*m.len));
  if (m.after) add("after " + sim::format_duration(m.after->since_start()));
  if (m.before) add("before " + sim::format_duration(m.before->since_start()));
  return t.empty() ? std::string("every segment") : t;
}

std::string loss_text(const net::LossModel& m) {
  switch (m.kind) {
    case net::LossModel::Kind::None: return "0";
    case net::LossModel::Kind::Bernoulli: return QString::number(m.rate).toStdString();
    case net::LossModel::Kind::GilbertElliott: return "burst";
  }
  return "0";
}

// Reads a loss cell: a probability replaces the model; "burst" keeps the Gilbert-Elliott one.
bool parse_loss(const QString& text, net::LossModel& m) {
  if (text.trimmed() == QLatin1String("burst") && m.kind == net::LossModel::Kind::GilbertElliott) return true;
  bool ok = false;
  const double p = text.trimmed().toDouble(&ok);
  if (!ok || p < 0.0 || p > 1.0) return false;
  m = net::LossModel{};
  if (p > 0.0) {
    m.kind = net::LossModel::Kind::Bernoulli;
    m.rate = p;
  }
  return true;
}

QTableWidgetItem* item(const std::string& text, bool editable) {
  auto* it = new QTableWidgetItem(QString::fromStdString(text));
  if (!editable) it->setFlags(it->flags() & ~Qt::ItemIsEditable);
  return it;
}

}  // namespace

std::optional<net::FaultRule> fault_rule_for_segment(const trace::Trace& trace, std::size_t record,
                                                     trace::FaultAction action, sim::Duration delay, std::string* why) {
  const auto& records = trace.records();
  const auto id = record < records.size() ? segment_of(records[record].body) : std::nullopt;
  const auto sent = id ? sent_record_of(trace, *id, record) : std::nullopt;
  if (!sent) {
    *why = "record #" + std::to_string(record) + " is not about a segment";
    return std::nullopt;
  }
  const auto& target = std::get<trace::SegmentSent>(records[*sent].body);
  net::FaultRule rule;
  rule.action = action;
  rule.delay = delay;
  rule.match.from = target.seg.src;
  rule.match.to = target.seg.dst;
  rule.match.sport = target.seg.sport;
  rule.match.dport = target.seg.dport;
  // Count the matching sends up to this one that reach the end of the rule list (no earlier
  // rule dropped them at the sender).
  std::set<trace::SegmentId> dropped_by_rule;
  for (std::size_t i = 0; i < records.size(); ++i)
    if (const auto* d = std::get_if<trace::SegmentDropped>(&records[i].body); d && d->reason == trace::DropReason::FaultRule)
      dropped_by_rule.insert(d->id);
  if (dropped_by_rule.count(target.id) != 0) {
    *why = "segment " + std::to_string(target.id) + " is already dropped by fault rule at its sender";
    return std::nullopt;
  }
  std::uint64_t n = 0;
  for (std::size_t i = 0; i <= *sent; ++i) {
    const auto* s = std::get_if<trace::SegmentSent>(&records[i].body);
    if (s != nullptr && rule.match.matches(s->seg, records[i].time) && dropped_by_rule.count(s->id) == 0) ++n;
  }
  rule.first = rule.last = n;
  return rule;
}

std::string describe(const net::FaultRule& rule, const AddressBook& book) {
  std::string verb = trace::to_string(rule.action);
  if (rule.action == trace::FaultAction::Delay) verb += " by " + sim::format_duration(rule.delay);
  std::string which;
  if (rule.first == 1 && rule.last == kEvery)
    which = "every segment";
  else if (rule.first == rule.last)
    which = "the " + ordinal(rule.first) + " segment";
  else
    which = "segments " + nth_text(rule);
  return verb + " " + which + " " + match_text(rule.match, book);
}

WhatIfPanel::WhatIfPanel(QWidget* parent)
    : QWidget(parent),
      links_(new QTableWidget(0, LinkColumns)),
      faults_(new QTableWidget(0, FaultColumns)),
      profile_(new QComboBox),
      tcp_(new QTableWidget(0, TcpColumns)),
      error_(new QLabel),
      rerun_button_(new QPushButton(QStringLiteral("Re-run with these settings"))) {
  links_->setHorizontalHeaderLabels({QStringLiteral("link"), QStringLiteral("delay a→b"), QStringLiteral("loss a→b"),
                                     QStringLiteral("delay b→a"), QStringLiteral("loss b→a")});
  faults_->setHorizontalHeaderLabels(
      {QStringLiteral("#"), QStringLiteral("action"), QStringLiteral("delay"), QStringLiteral("nth"), QStringLiteral("match")});
  tcp_->setHorizontalHeaderLabels({QStringLiteral("TCP parameter"), QStringLiteral("value (as in a scenario file)")});
  tcp_->setColumnWidth(Param, 190);
  profile_->addItem(QStringLiteral("rfc9293"));
  profile_->addItem(QStringLiteral("linux"));
  profile_->setToolTip(QStringLiteral("The scenario's profile; hosts keep their own parameter settings on top of it"));
  for (auto* t : {links_, faults_, tcp_}) {
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
  }
  links_->setColumnWidth(LinkName, 150);
  faults_->setColumnWidth(Number, 30);
  faults_->setToolTip(QStringLiteral("action: drop, delay, duplicate or corrupt; nth: 2, 2-3 or every"));
  error_->setStyleSheet(QStringLiteral("color:#b01c1c"));
  error_->setWordWrap(true);
  error_->hide();

  auto* remove = new QPushButton(QStringLiteral("Remove rule"));
  auto* drop = new QPushButton(QStringLiteral("Drop selected segment"));
  auto* delay = new QPushButton(QStringLiteral("Delay it…"));
  auto* dup = new QPushButton(QStringLiteral("Duplicate it"));
  auto* save = new QPushButton(QStringLiteral("Save scenario as…"));
  drop->setToolTip(QStringLiteral("Adds a fault rule for the segment selected in the event list or diagram, and re-runs"));
  connect(remove, &QPushButton::clicked, this, [this] {
    if (faults_->currentRow() >= 0) faults_->removeRow(faults_->currentRow());
  });
  connect(drop, &QPushButton::clicked, this, [this] {
    if (segment_action_) segment_action_(trace::FaultAction::Drop, {});
  });
  connect(dup, &QPushButton::clicked, this, [this] {
    if (segment_action_) segment_action_(trace::FaultAction::Duplicate, {});
  });
  connect(delay, &QPushButton::clicked, this, [this] {
    bool ok = false;
    const int ms = QInputDialog::getInt(this, QStringLiteral("Delay the segment"), QStringLiteral("extra delay (ms):"), 200, 1,
                                        3'600'000, 1, &ok);
    if (ok && segment_action_) segment_action_(trace::FaultAction::Delay, sim::Duration::ms(ms));
  });
  connect(rerun_button_, &QPushButton::clicked, this, [this] {
    if (rerun_) rerun_();
  });
  connect(save, &QPushButton::clicked, this, [this] {
    if (save_) save_();
  });

  auto* buttons = new QHBoxLayout;
  for (auto* b : {drop, delay, dup, remove}) buttons->addWidget(b);
  buttons->addStretch(1);
  buttons->addWidget(save);
  buttons->addWidget(rerun_button_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  layout->addWidget(new QLabel(QStringLiteral("<b>Links</b> (edit a cell: delay like 10ms, loss as a probability)")));
  layout->addWidget(links_, 2);
  layout->addWidget(new QLabel(QStringLiteral("<b>Fault rules</b> (applied in order at the sender)")));
  layout->addWidget(faults_, 3);
  auto* profile_row = new QHBoxLayout;
  profile_row->addWidget(new QLabel(QStringLiteral("<b>Profile</b>")));
  profile_row->addWidget(profile_);
  profile_row->addWidget(new QLabel(QStringLiteral("<b>TCP parameters</b> of every host (edit a value: 30s, 6, null, ...)")), 1);
  layout->addLayout(profile_row);
  layout->addWidget(tcp_, 3);
  layout->addWidget(error_);
  layout->addLayout(buttons);
}

void WhatIfPanel::set_scenario(const scenario::Scenario& s) {
  base_ = s;
  book_ = address_book(s);
  error_->hide();
  links_->setRowCount(static_cast<int>(s.links.size()));
  for (int i = 0; i < links_->rowCount(); ++i) {
    const auto& l = s.links[static_cast<std::size_t>(i)];
    links_->setItem(i, LinkName, item(l.a + " ↔ " + l.b, false));
    links_->setItem(i, DelayAB, item(sim::format_duration(l.a_to_b.delay), true));
    links_->setItem(i, LossAB, item(loss_text(l.a_to_b.loss), true));
    links_->setItem(i, DelayBA, item(sim::format_duration(l.b_to_a.delay), true));
    links_->setItem(i, LossBA, item(loss_text(l.b_to_a.loss), true));
  }
  faults_->setRowCount(static_cast<int>(s.faults.size()));
  for (int i = 0; i < faults_->rowCount(); ++i) {
    const auto& f = s.faults[static_cast<std::size_t>(i)];
    auto* number = item(std::to_string(i), false);
    number->setData(Qt::UserRole, i);
    faults_->setItem(i, Number, number);
    faults_->setItem(i, Action, item(trace::to_string(f.action), true));
    faults_->setItem(i, Delay, item(f.action == trace::FaultAction::Delay ? sim::format_duration(f.delay) : "", true));
    faults_->setItem(i, Nth, item(nth_text(f), true));
    faults_->setItem(i, Match, item(match_text(f.match, book_), false));
  }
  profile_->setCurrentIndex(s.profile == scenario::Profile::Linux ? 1 : 0);
  // The parameters of the first host that runs TCP (the help of each as its tooltip).
  tcp_shown_.clear();
  tcp_->setRowCount(0);
  const auto first = std::find_if(s.tcp.begin(), s.tcp.end(), [](const scenario::HostTcp& t) { return t.enabled; });
  if (first == s.tcp.end()) return;
  std::map<std::string, std::string> help;
  tcp::TcpParams probe;
  tcp::visit_params(probe, [&](std::string_view name, auto&, std::string_view h) { help[std::string(name)] = std::string(h); });
  const auto texts = scenario::tcp_param_texts(first->params);
  tcp_->setRowCount(static_cast<int>(texts.size()));
  for (int i = 0; i < tcp_->rowCount(); ++i) {
    const auto& [name, value] = texts[static_cast<std::size_t>(i)];
    auto* n = item(name, false);
    n->setToolTip(QString::fromStdString(help[name]));
    tcp_->setItem(i, Param, n);
    tcp_->setItem(i, Value, item(value, true));
    tcp_shown_.push_back(value);
  }
}

std::optional<scenario::Scenario> WhatIfPanel::edited(std::string* error) const {
  if (!base_) {
    *error = "no scenario is loaded";
    return std::nullopt;
  }
  scenario::Scenario s = *base_;
  auto cell = [](QTableWidget* t, int r, int c) { return t->item(r, c) ? t->item(r, c)->text().trimmed() : QString(); };
  for (int i = 0; i < links_->rowCount() && i < static_cast<int>(s.links.size()); ++i) {
    auto& l = s.links[static_cast<std::size_t>(i)];
    const std::string name = l.a + " ↔ " + l.b;
    for (auto [params, dcol, lcol] : {std::tuple{&l.a_to_b, DelayAB, LossAB}, std::tuple{&l.b_to_a, DelayBA, LossBA}}) {
      try {
        params->delay = sim::parse_duration(cell(links_, i, dcol).toStdString());
      } catch (const std::exception& e) {
        *error = "link " + name + ": " + e.what();
        return std::nullopt;
      }
      if (!parse_loss(cell(links_, i, lcol), params->loss)) {
        *error = "link " + name + ": loss must be a probability in [0, 1], found \"" + cell(links_, i, lcol).toStdString() + "\"";
        return std::nullopt;
      }
    }
  }
  std::vector<net::FaultRule> rules;
  for (int i = 0; i < faults_->rowCount(); ++i) {
    const int original = faults_->item(i, Number)->data(Qt::UserRole).toInt();
    net::FaultRule r = base_->faults.at(static_cast<std::size_t>(original));
    const std::string action = cell(faults_, i, Action).toLower().toStdString();
    static constexpr trace::FaultAction kActions[] = {trace::FaultAction::Drop, trace::FaultAction::Delay,
                                                      trace::FaultAction::Duplicate, trace::FaultAction::Corrupt};
    bool known = false;
    for (auto a : kActions)
      if (action == trace::to_string(a)) {
        r.action = a;
        known = true;
      }
    if (!known) {
      *error = "fault rule " + std::to_string(original) + ": unknown action \"" + action + "\" (drop, delay, duplicate, corrupt)";
      return std::nullopt;
    }
    if (r.action == trace::FaultAction::Delay) {
      try {
        r.delay = sim::parse_duration(cell(faults_, i, Delay).toStdString());
      } catch (const std::exception& e) {
        *error = "fault rule " + std::to_string(original) + ": " + e.what();
        return std::nullopt;
      }
    }
    if (!parse_nth(cell(faults_, i, Nth).toStdString(), r)) {
      *error = "fault rule " + std::to_string(original) + ": nth must be n, n-m or every";
      return std::nullopt;
    }
    rules.push_back(r);
  }
  s.faults = std::move(rules);
  // Profile and TCP parameters: only what was changed, read by the loader itself.
  const auto profile = profile_->currentIndex() == 1 ? scenario::Profile::Linux : scenario::Profile::Rfc9293;
  std::vector<std::pair<std::string, std::string>> fields;
  for (int i = 0; i < tcp_->rowCount() && i < static_cast<int>(tcp_shown_.size()); ++i) {
    const std::string v = cell(tcp_, i, Value).toStdString();
    if (v != tcp_shown_[static_cast<std::size_t>(i)]) fields.emplace_back(cell(tcp_, i, Param).toStdString(), v);
  }
  if (profile == s.profile && fields.empty()) return s;
  std::string why;
  auto with = scenario::with_tcp(s, profile, fields, &why);
  if (!with) {
    *error = "TCP: " + why;
    return std::nullopt;
  }
  return with;
}

void WhatIfPanel::show_error(const QString& text) {
  error_->setText(text);
  error_->setVisible(!text.isEmpty());
}

}  // namespace tcpsim::gui
