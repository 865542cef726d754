#include "gui/event_model.hpp"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QFontDatabase>
#include <QSet>
#include <algorithm>
#include <type_traits>
#include <variant>

#include "gui/stepper.hpp"
#include "sim/trace/jsonl.hpp"

namespace tcpsim::gui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

std::string segment_text(const net::Segment& s) {
  std::string l = s.flags.to_string() + " seq=" + s.seq.to_string();
  if (s.flags.ack) l += " ack=" + s.ack.to_string();
  l += " len=" + std::to_string(s.payload_len);
  return l;
}

// The node a record happened at; kNoNode for notes.
trace::NodeId node_of(const trace::Body& body) {
  return std::visit(
      [](const auto& b) -> trace::NodeId {
        if constexpr (requires { b.node; })
          return b.node;
        else
          return trace::kNoNode;
      },
      body);
}

// "16.012 ms", "40 ms", "1.25 s": short and readable (the details column has the exact ns).
std::string short_duration(sim::Duration d) {
  const bool seconds = d >= sim::Duration::s(1) || d <= -sim::Duration::s(1);
  std::string v = QString::number(static_cast<double>(d.count()) / (seconds ? 1e9 : 1e6), 'f', 3).toStdString();
  while (v.back() == '0') v.pop_back();
  if (v.back() == '.') v.pop_back();
  return v + (seconds ? " s" : " ms");
}

std::string rule_text(int rule) { return rule == trace::kNoRule ? std::string() : " rule " + std::to_string(rule); }

}  // namespace

QString segment_counts_text(const trace::Trace& t) {
  const trace::SegmentCounts& c = t.segments();
  std::string text = "sent " + std::to_string(c.sent) + " (injected " + std::to_string(c.injected) + ")";
  if (c.duplicates != 0) text += ", duplicates " + std::to_string(c.duplicates);
  text += ", delivered " + std::to_string(c.delivered) + ", dropped " + std::to_string(c.dropped_total());
  if (const std::string reasons = trace::drop_reasons_text(t); !reasons.empty()) text += " (" + reasons + ")";
  text += ", in flight " + std::to_string(c.in_flight());
  return qs(text);
}

EventTableModel::EventTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void EventTableModel::set_trace(const trace::Trace* trace, AddressBook book, const trace::TraceFacts* facts) {
  beginResetModel();
  trace_ = trace;
  facts_ = trace != nullptr ? facts : nullptr;
  rows_ = 0;
  sent_at_.clear();
  book_ = std::move(book);
  if (trace_ != nullptr) {
    const auto& records = trace_->records();
    for (std::size_t i = 0; i < records.size(); ++i) {
      const auto& body = records[i].body;
      if (const auto* s = std::get_if<trace::SegmentSent>(&body)) {
        sent_at_[s->id] = i;
      } else if (const auto* d = std::get_if<trace::SegmentDuplicated>(&body)) {
        if (auto it = sent_at_.find(d->id); it != sent_at_.end()) sent_at_[d->copy] = it->second;
      }
    }
  }
  endResetModel();
}

void EventTableModel::set_label_options(const trace::LabelOptions& o) {
  label_options_ = o;
  if (rows_ != 0) Q_EMIT dataChanged(index(0, Summary), index(static_cast<int>(rows_ - 1), Summary));
}

void EventTableModel::set_revealed(std::size_t n) {
  if (trace_ == nullptr) return;
  n = std::min(n, trace_->records().size());
  if (n > rows_) {
    beginInsertRows({}, static_cast<int>(rows_), static_cast<int>(n - 1));
    rows_ = n;
    endInsertRows();
  } else if (n < rows_) {
    beginRemoveRows({}, static_cast<int>(n), static_cast<int>(rows_ - 1));
    rows_ = n;
    endRemoveRows();
  }
}

QStringList EventTableModel::endpoints_of(std::size_t row) const {
  const auto& body = trace_->records()[row].body;
  if (const auto key = conn_of(body)) return {qs(trace_->node_name(key->node) + ":" + std::to_string(key->conn.local.port))};
  if (const auto id = segment_of(body)) {
    if (const auto* s = sent_record(*id))
      return {qs(endpoint_name(book_, s->seg.source())), qs(endpoint_name(book_, s->seg.destination()))};
  }
  return {};
}

QStringList EventTableModel::endpoints() const {
  QSet<QString> all;
  if (trace_ != nullptr)
    for (std::size_t i = 0; i < trace_->records().size(); ++i)
      for (const QString& e : endpoints_of(i)) all.insert(e);
  QStringList out(all.begin(), all.end());
  out.sort();
  return out;
}

const trace::SegmentSent* EventTableModel::sent_record(trace::SegmentId id) const {
  const auto it = sent_at_.find(id);
  if (it == sent_at_.end()) return nullptr;
  return std::get_if<trace::SegmentSent>(&trace_->records()[it->second].body);
}

std::string EventTableModel::segment_label(trace::SegmentId id) const {
  if (const auto* f = facts_ != nullptr ? facts_->segment(id) : nullptr) {
    // The label the diagram draws on the arrow, and the record that sent it.
    const std::string label = std::string(f->copy() ? "dup " : "") + (f->retransmission ? "rtx " : "") +
                              trace::segment_label(*f, label_options_);
    return label + " (#" + std::to_string(f->record) + ")";
  }
  const auto* s = sent_record(id);
  const std::string tag = "(segment " + std::to_string(id) + ")";
  return s ? segment_text(s->seg) + " " + tag : tag;
}

QString EventTableModel::summary(std::size_t row) const {
  if (trace_ == nullptr || row >= trace_->records().size()) return {};
  const auto& rec = trace_->records()[row];
  const trace::Trace& t = *trace_;
  // A connection as its endpoints' names: "client:49152→server:80" (a listener: "server:80").
  auto conn_name = [&](const net::ConnId& c) {
    if (c.remote.ip.value == 0 && c.remote.port == 0) return endpoint_name(book_, c.local);
    return endpoint_name(book_, c.local) + "→" + endpoint_name(book_, c.remote);
  };
  std::string text = std::visit(
      [&](const auto& b) -> std::string {
        using B = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<B, trace::SegmentSent>) {
          const auto* f = facts_ != nullptr ? facts_->segment(b.id) : nullptr;
          std::string s = f != nullptr ? (f->retransmission ? "rtx " : "") + trace::segment_label(*f, label_options_)
                                       : segment_text(b.seg);
          s += " " + b.seg.source().to_string() + " > " + b.seg.destination().to_string();
          if (b.injected) s += ", injected";
          if (!b.cause.empty()) s += ", " + std::string(b.cause);
          return s;
        } else if constexpr (std::is_same_v<B, trace::SegmentDelivered>) {
          std::string s = segment_label(b.id) + " delivered";
          if (const auto it = sent_at_.find(b.id); it != sent_at_.end())
            s += " after " + short_duration(rec.time - t.records()[it->second].time);
          return s;
        } else if constexpr (std::is_same_v<B, trace::SegmentDropped>) {
          std::string s = segment_label(b.id) + " dropped: " + trace::drop_text(b.reason, b.rule);
          if (b.toward != trace::kNoNode) s += " on " + t.node_name(b.node) + "→" + t.node_name(b.toward);
          return s;
        } else if constexpr (std::is_same_v<B, trace::SegmentDuplicated>) {
          return segment_label(b.id) + " duplicated by " +
                 (b.cause == trace::EffectCause::Link ? std::string("the link") : "fault" + rule_text(b.rule));
        } else if constexpr (std::is_same_v<B, trace::SegmentDelayed>) {
          return segment_label(b.id) + " delayed +" + short_duration(b.extra) + " by " +
                 (b.cause == trace::EffectCause::Link ? std::string("reordering") : "fault" + rule_text(b.rule));
        } else if constexpr (std::is_same_v<B, trace::SegmentCorrupted>) {
          return segment_label(b.id) + " corrupted by fault" + rule_text(b.rule);
        } else if constexpr (std::is_same_v<B, trace::StateChanged>) {
          std::string s = conn_name(b.conn) + " " + display_state(b.from) + " → " + display_state(b.to);
          if (!b.cause.empty()) s += " (" + std::string(b.cause) + ")";
          return s;
        } else if constexpr (std::is_same_v<B, trace::TimerEvent>) {
          std::string s = conn_name(b.conn) + " " + std::string(b.timer) + " " + trace::to_string(b.op);
          if (b.op == trace::TimerOp::Armed) s += ", due " + sim::format_seconds(b.deadline) + " s";
          return s;
        } else if constexpr (std::is_same_v<B, trace::AppCall>) {
          return conn_name(b.conn) + " " + std::string(b.call) + "(" + b.args + ")";
        } else if constexpr (std::is_same_v<B, trace::AppNotify>) {
          std::string s = conn_name(b.conn) + " " + trace::to_string(b.notice);
          if (b.error != trace::AppError::None) s += std::string(" ") + trace::to_string(b.error);
          if (b.bytes != 0) s += " " + std::to_string(b.bytes) + " bytes";
          return s;
        } else {
          static_assert(std::is_same_v<B, trace::Note>);
          return b.text;
        }
      },
      rec.body);
  return qs(text);
}

QString EventTableModel::details(std::size_t row) const {
  if (trace_ == nullptr || row >= trace_->records().size()) return {};
  return qs(trace::to_json(trace_->records()[row], *trace_).dump());
}

int EventTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_);
}

int EventTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant EventTableModel::data(const QModelIndex& index, int role) const {
  if (trace_ == nullptr || !index.isValid() || static_cast<std::size_t>(index.row()) >= rows_) return {};
  const auto row = static_cast<std::size_t>(index.row());
  const auto& rec = trace_->records()[row];
  switch (role) {
    case EndpointsRole: return endpoints_of(row);
    case Qt::DisplayRole:
      switch (index.column()) {
        case Index: return QString::number(rec.index);
        case Time: return qs(sim::format_seconds(rec.time));
        case Kind: return QString::fromLatin1(trace::kind_name(rec.body));
        case Node: {
          const auto n = node_of(rec.body);
          return n == trace::kNoNode ? QString() : qs(trace_->node_name(n));
        }
        case Summary: return summary(row);
        case Details: return details(row);
        default: return {};
      }
    case Qt::ToolTipRole:
      if (index.column() == Details) return qs(trace::to_json(rec, *trace_).dump(2));
      if (index.column() == Summary) return summary(row);
      return {};
    case Qt::TextAlignmentRole:
      if (index.column() == Index || index.column() == Time)
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
      return {};
    case Qt::FontRole:
      if (index.column() == Details) return QFontDatabase::systemFont(QFontDatabase::FixedFont);
      return {};
    case Qt::ForegroundRole:
      if (std::holds_alternative<trace::SegmentDropped>(rec.body)) return QBrush(QColor(0xb0, 0x1c, 0x1c));
      if (std::holds_alternative<trace::SegmentDelivered>(rec.body)) return QBrush(QColor(0x1b, 0x6e, 0x2a));
      if (std::holds_alternative<trace::Note>(rec.body)) return QBrush(QColor(0x1f, 0x4e, 0x9c));
      if (std::holds_alternative<trace::SegmentDelayed>(rec.body) || std::holds_alternative<trace::SegmentDuplicated>(rec.body) ||
          std::holds_alternative<trace::SegmentCorrupted>(rec.body))
        return QBrush(QColor(0x9a, 0x5b, 0x00));
      return {};
    default: return {};
  }
}

QVariant EventTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Index: return QStringLiteral("#");
    case Time: return QStringLiteral("time (s)");
    case Kind: return QStringLiteral("kind");
    case Node: return QStringLiteral("node");
    case Summary: return QStringLiteral("summary");
    case Details: return QStringLiteral("details");
    default: return {};
  }
}

KindNodeFilter::KindNodeFilter(QObject* parent) : QSortFilterProxyModel(parent) {}

void KindNodeFilter::set_pattern(const QString& pattern) {
  QStringList words = pattern.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
  if (words == words_) return;
  words_ = std::move(words);
  invalidateFilter();
}

void KindNodeFilter::set_kind(const QString& kind) {
  if (kind == kind_) return;
  kind_ = kind;
  invalidateFilter();
}

void KindNodeFilter::set_endpoint(const QString& endpoint) {
  if (endpoint == endpoint_) return;
  endpoint_ = endpoint;
  invalidateFilter();
}

bool KindNodeFilter::filterAcceptsRow(int source_row, const QModelIndex& source_parent) const {
  const auto* m = sourceModel();
  const QString kind = m->index(source_row, EventTableModel::Kind, source_parent).data().toString();
  if (!kind_.isEmpty() && kind != kind_) return false;
  if (!endpoint_.isEmpty() &&
      !m->index(source_row, 0, source_parent).data(EventTableModel::EndpointsRole).toStringList().contains(endpoint_))
    return false;
  if (words_.isEmpty()) return true;
  const QString node = m->index(source_row, EventTableModel::Node, source_parent).data().toString();
  for (const QString& w : words_)
    if (!kind.contains(w, Qt::CaseInsensitive) && !node.contains(w, Qt::CaseInsensitive)) return false;
  return true;
}

}  // namespace tcpsim::gui
