#include "gui/inspector.hpp"

#include <QHeaderView>
#include <algorithm>
#include <variant>

#include "gui/stepper.hpp"

namespace tcpsim::gui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QTreeWidgetItem* add(QTreeWidgetItem* parent, const QString& name, const QString& value) {
  auto* it = new QTreeWidgetItem(parent, {name, value});
  it->setToolTip(1, value);
  return it;
}

std::string duration_text(sim::Duration d) {
  if (d.count() == 0) return "0 s";
  return sim::format_duration(d < sim::Duration::zero() ? -d : d);
}

// "7001  (relative 1, incarnation 2)" (the incarnation of the sender's direction: 0 leaves it
// out, for an ACK, which counts in the other direction), or the absolute number alone when the
// trace's facts give it no relative value (injected, or before its incarnation's ISN).
QString seq_text(std::uint32_t value, std::optional<std::uint32_t> rel, std::uint32_t incarnation, bool injected) {
  QString t = QString::number(value);
  if (rel && incarnation == 0) return t + QStringLiteral("  (relative %1)").arg(*rel);
  if (rel) return t + QStringLiteral("  (relative %1, incarnation %2)").arg(*rel).arg(incarnation);
  return t + (injected ? QStringLiteral("  (injected: no connection incarnation)")
                       : QStringLiteral("  (before its incarnation's ISN: absolute)"));
}

QString options_text(const net::Options& o) {
  QStringList parts;
  if (o.mss) parts << QStringLiteral("MSS %1").arg(*o.mss);
  if (o.wscale) parts << QStringLiteral("WS %1").arg(*o.wscale);
  if (o.sack_permitted) parts << QStringLiteral("SACK-permitted");
  if (o.timestamps) parts << QStringLiteral("TS val %1 ecr %2").arg(o.timestamps->val).arg(o.timestamps->ecr);
  return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

// What became of segment `f` and its copies, as far as records before `cursor` tell (the trace's
// facts: one fate for every view).
QStringList fate(const Run& run, const trace::SegmentFacts& f, std::size_t cursor) {
  const trace::Trace& t = *run.trace();
  const auto& r = t.records();
  QStringList out;
  int open = 0;
  auto tell = [&](const trace::SegmentFacts& x) {
    const QString who = x.copy() ? QStringLiteral("copy %1 ").arg(x.id) : QString();
    if (x.copy()) {
      if (x.record >= cursor) return;
      out << QStringLiteral("duplicated as copy %1 (#%2)").arg(x.id).arg(x.record);
    }
    if (const std::string e = x.effects_text(cursor); !e.empty()) out << who + qs(e);
    if (!x.ended_before(cursor)) {
      ++open;
      return;
    }
    const QString dt = qs(duration_text(r[x.end_record].time - r[f.record].time));
    if (x.fate == trace::Fate::Delivered) {
      out << QStringLiteral("%1delivered to %2 after %3 (#%4)").arg(who, qs(t.node_name(x.end_node)), dt).arg(x.end_record);
    } else {
      QString where = qs(t.node_name(x.end_node));
      if (x.toward != trace::kNoNode) where += QStringLiteral("→") + qs(t.node_name(x.toward));
      out << QStringLiteral("%1DROPPED (%2) at %3 after %4 (#%5)")
                 .arg(who, qs(trace::drop_text(x.reason, x.rule)), where, dt)
                 .arg(x.end_record);
    }
  };
  tell(f);
  for (const auto& x : run.facts->segments())
    if (x.seg != nullptr && x.copy_of == f.id) tell(x);
  if (open > 0) out << (open == 1 ? QStringLiteral("in flight at the cursor") : QStringLiteral("%1 copies in flight at the cursor").arg(open));
  return out;
}

void segment_rows(QTreeWidgetItem* top, const Run& run, std::size_t sent_at, std::size_t cursor) {
  const trace::Trace& t = *run.trace();
  const auto& s = std::get<trace::SegmentSent>(t.records()[sent_at].body);
  const net::Segment& g = s.seg;
  add(top, QStringLiteral("segment"), QStringLiteral("%1 (sent at #%2, %3 s)").arg(s.id).arg(sent_at).arg(qs(sim::format_seconds(t.records()[sent_at].time))));
  add(top, QStringLiteral("from"), qs(endpoint_name(run.book, g.source()) + "  (" + g.source().to_string() + ")"));
  add(top, QStringLiteral("to"), qs(endpoint_name(run.book, g.destination()) + "  (" + g.destination().to_string() + ")"));
  add(top, QStringLiteral("flags"), qs(g.flags.to_string()));
  const trace::SegmentFacts* known = run.facts ? run.facts->segment(s.id) : nullptr;
  if (known == nullptr) return;  // a run always has its facts; nothing to say without them
  const trace::SegmentFacts& f = *known;
  add(top, QStringLiteral("seq"), seq_text(g.seq.raw(), f.rel_seq, f.incarnation, f.injected));
  add(top, QStringLiteral("ack"), g.flags.ack ? seq_text(g.ack.raw(), f.rel_ack, 0, f.injected)
                                              : QStringLiteral("%1 (ACK flag off)").arg(g.ack.raw()));
  add(top, QStringLiteral("window"), QString::number(g.window));
  add(top, QStringLiteral("urgent"), QString::number(g.urgent));
  add(top, QStringLiteral("options"), options_text(g.options));
  add(top, QStringLiteral("length"), QStringLiteral("%1 bytes of data, %2 of sequence space, %3 on the wire").arg(g.payload_len).arg(g.seq_len()).arg(g.wire_size()));
  if (s.injected) add(top, QStringLiteral("origin"), QStringLiteral("injected by the scenario"));
  if (!s.cause.empty()) add(top, QStringLiteral("why sent"), qs(std::string(s.cause)));
  add(top, QStringLiteral("retransmission"),
      f.retransmission ? QStringLiteral("yes: the sender sends this segment again") : QStringLiteral("no"));
  auto* row = add(top, QStringLiteral("fate"), QString());
  const QStringList lines = fate(run, f, cursor);
  row->setText(1, lines.join(QStringLiteral("; ")));
  row->setToolTip(1, lines.join(QLatin1Char('\n')));
  if (row->text(1).contains(QStringLiteral("DROPPED"))) row->setForeground(1, QColor(0xb0, 0x1c, 0x1c));
}

void record_rows(QTreeWidgetItem* top, const Run& run, std::size_t index, std::size_t cursor) {
  const trace::Trace& t = *run.trace();
  const auto& rec = t.records()[index];
  add(top, QStringLiteral("kind"), QString::fromLatin1(trace::kind_name(rec.body)));
  add(top, QStringLiteral("time"), qs(sim::format_seconds(rec.time)) + QStringLiteral(" s"));
  if (const auto id = segment_of(rec.body)) {
    if (const auto sent = sent_record_of(t, *id, index)) segment_rows(top, run, *sent, cursor);
  } else if (const auto* s = std::get_if<trace::StateChanged>(&rec.body)) {
    add(top, QStringLiteral("endpoint"), qs(endpoint_label(t, s->node, s->conn)));
    add(top, QStringLiteral("transition"), qs(display_state(s->from) + " → " + display_state(s->to)));
    add(top, QStringLiteral("why"), qs(std::string(s->cause)));
  } else if (const auto* m = std::get_if<trace::TimerEvent>(&rec.body)) {
    add(top, QStringLiteral("endpoint"), qs(endpoint_label(t, m->node, m->conn)));
    add(top, QStringLiteral("timer"), qs(std::string(m->timer) + " " + trace::to_string(m->op)));
    if (m->op == trace::TimerOp::Armed) {
      add(top, QStringLiteral("due"), qs(sim::format_seconds(m->deadline) + " s (in " + duration_text(m->deadline - rec.time) + ")"));
      if (!m->cause.empty()) add(top, QStringLiteral("why"), qs(std::string(m->cause)));
    }
  } else if (const auto* c = std::get_if<trace::AppCall>(&rec.body)) {
    add(top, QStringLiteral("endpoint"), qs(endpoint_label(t, c->node, c->conn)));
    add(top, QStringLiteral("call"), qs(std::string(c->call) + "(" + c->args + ")"));
  } else if (const auto* n = std::get_if<trace::AppNotify>(&rec.body)) {
    add(top, QStringLiteral("endpoint"), qs(endpoint_label(t, n->node, n->conn)));
    QString v = QString::fromLatin1(trace::to_string(n->notice));
    if (n->error != trace::AppError::None) v += QLatin1Char(' ') + QString::fromLatin1(trace::to_string(n->error));
    if (n->bytes != 0) v += QStringLiteral(", %1 bytes").arg(n->bytes);
    add(top, QStringLiteral("notice"), v);
  } else if (const auto* note = std::get_if<trace::Note>(&rec.body)) {
    if (note->node != trace::kNoNode) add(top, QStringLiteral("endpoint"), qs(endpoint_label(t, note->node, note->conn)));
    add(top, QStringLiteral("note"), qs(note->text));
  }
}

}  // namespace

TcbVariables tcb_rows(const tcp::Status& s) {
  const auto& t = s.tcb;
  auto rel = [](net::SeqNum v, net::SeqNum base) {
    return QStringLiteral("%1  (relative %2)").arg(v.raw()).arg(static_cast<std::uint32_t>(v.raw() - base.raw()));
  };
  TcbVariables out;
  out.emplace_back(QStringLiteral("SND.UNA"), rel(t.snd_una, t.iss));
  out.emplace_back(QStringLiteral("SND.NXT"), rel(t.snd_nxt, t.iss));
  out.emplace_back(QStringLiteral("SND.WND"), QString::number(t.snd_wnd));
  out.emplace_back(QStringLiteral("RCV.NXT"), rel(t.rcv_nxt, t.irs));
  out.emplace_back(QStringLiteral("RCV.WND"), QString::number(t.rcv_wnd));
  out.emplace_back(QStringLiteral("ISS / IRS"), QStringLiteral("%1 / %2").arg(t.iss.raw()).arg(t.irs.raw()));
  out.emplace_back(QStringLiteral("RTO"), qs(sim::format_duration(s.rto)));
  out.emplace_back(QStringLiteral("SendMSS"), QString::number(t.snd_mss));
  out.emplace_back(QStringLiteral("queued / unread"), QStringLiteral("%1 octets to send (unacknowledged), %2 received unread")
                                                          .arg(s.send_queued)
                                                          .arg(s.recv_unread));
  return out;
}

Inspector::Inspector(QWidget* parent) : QTreeWidget(parent) {
  setColumnCount(2);
  setHeaderLabels({QStringLiteral("field"), QStringLiteral("value")});
  header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  header()->setStretchLastSection(true);
  setAlternatingRowColors(true);
  setWordWrap(false);
  setUniformRowHeights(true);
}

void Inspector::show_at(const Run* run, std::size_t cursor, std::optional<std::size_t> selected, const TcbProvider& tcb) {
  clear();
  if (run == nullptr || run->trace() == nullptr) return;
  const trace::Trace& t = *run->trace();
  QFont bold = font();
  bold.setBold(true);
  if (selected && *selected < t.records().size()) {
    auto* top = new QTreeWidgetItem(this, {QStringLiteral("Record #%1").arg(*selected), QString()});
    top->setFont(0, bold);
    record_rows(top, *run, *selected, cursor);
  }
  const QString when = cursor == 0 ? QStringLiteral("before the first event")
                                   : QStringLiteral("after #%1, t = %2 s").arg(cursor - 1).arg(qs(sim::format_seconds(t.records()[cursor - 1].time)));
  auto* conns = new QTreeWidgetItem(this, {QStringLiteral("Connections"), when});
  conns->setFont(0, bold);
  auto eps = endpoints_at(t, run->connections, cursor);
  if (eps.empty()) add(conns, QStringLiteral("(none yet)"), QString());
  // With many connections, the ones that moved last (stable: ties keep trace order).
  const std::size_t total = eps.size();
  if (total > kMaxEndpointsShown) {
    std::stable_sort(eps.begin(), eps.end(), [](const auto& a, const auto& b) { return a.last_record > b.last_record; });
    eps.resize(kMaxEndpointsShown);
  }
  for (const auto& e : eps) {
    auto* ep = add(conns, qs(e.endpoint->label), qs(display_state(e.state)));
    ep->setFont(1, bold);
    if (e.last_change) {
      const auto& s = std::get<trace::StateChanged>(t.records()[*e.last_change].body);
      add(ep, QStringLiteral("why"), qs(display_state(s.from) + " → " + display_state(s.to) + ": " + std::string(s.cause)) +
                                          QStringLiteral("  (#%1)").arg(*e.last_change));
    }
    if (e.timers.empty()) add(ep, QStringLiteral("timers"), QStringLiteral("none pending"));
    for (const auto& p : e.timers)
      add(ep, QStringLiteral("timer"), qs(p.name + " due " + sim::format_seconds(p.deadline) + " s (armed at #" + std::to_string(p.armed_at) + ")"));
    if (tcb && e.state != "LISTEN") {
      if (const auto vars = tcb(e.endpoint->key)) {
        auto* block = add(ep, QStringLiteral("TCB"), QStringLiteral("from a world replayed to this point"));
        for (const auto& [name, value] : *vars) add(block, name, value);
      } else if (e.state != "CLOSED") {
        add(ep, QStringLiteral("TCB"), QStringLiteral("not available (no socket with this 4-tuple in the replayed host)"));
      }
    }
  }
  if (total > eps.size())
    add(conns, QStringLiteral("… %1 more").arg(total - eps.size()),
        QStringLiteral("the %1 most recently active are shown; filter the event list by endpoint for the others").arg(eps.size()));
  expandAll();
}

QString Inspector::text() const {
  QStringList lines;
  std::function<void(QTreeWidgetItem*, int)> walk = [&](QTreeWidgetItem* it, int depth) {
    lines << QString(depth * 2, QLatin1Char(' ')) + it->text(0) + QStringLiteral(": ") + it->text(1);
    for (int i = 0; i < it->childCount(); ++i) walk(it->child(i), depth + 1);
  };
  for (int i = 0; i < topLevelItemCount(); ++i) walk(topLevelItem(i), 0);
  return lines.join(QLatin1Char('\n'));
}

}  // namespace tcpsim::gui
