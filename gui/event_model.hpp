// The event table: one row per revealed trace record, read straight from a run's trace.
//
// The model never copies records: it keeps a pointer to the (finished) trace and the cursor, the
// number of records revealed; set_revealed() announces rows appended or removed, so stepping
// forward or back adds or hides rows one event at a time and nothing after the cursor shows.
// The filter keeps rows of one kind, of one endpoint, and whose kind or node contains every word
// typed ("drop", "r1", "deliver server").
#pragma once

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QString>
#include <QStringList>
#include <cstddef>
#include <string>
#include <unordered_map>

#include "gui/connections.hpp"
#include "sim/trace/facts.hpp"
#include "sim/trace/trace.hpp"

namespace tcpsim::gui {

// "sent 16 (injected 16), duplicates 1, delivered 12, dropped 4 (2 by loss, 1 by fault rule 0,
// 1 by no route), in flight 1": the segment accounting of a trace, as one line.
QString segment_counts_text(const trace::Trace& t);

class EventTableModel final : public QAbstractTableModel {
 public:
  enum Column { Index, Time, Kind, Node, Summary, Details, ColumnCount };
  // Qt::UserRole + 1 on any column: the endpoints a record involves, as a QStringList of
  // "node:port" (a connection record its own endpoint, a segment record its two ends).
  static constexpr int EndpointsRole = Qt::UserRole + 1;

  explicit EventTableModel(QObject* parent = nullptr);

  // Shows `trace` (nullptr: nothing), naming segment endpoints with `book`. Resets the model
  // with no row revealed. With the trace's `facts`, segments read as the diagram labels them
  // (numbers per incarnation, rtx, the window where it changed); without, in absolute numbers.
  void set_trace(const trace::Trace* trace, AddressBook book = {}, const trace::TraceFacts* facts = nullptr);
  // How segments are labelled (the diagram's "absolute seq/ack" and "windows" choices).
  void set_label_options(const trace::LabelOptions& o);
  // Reveals the first `n` records (clamped to the trace): rows are inserted or removed.
  void set_revealed(std::size_t n);
  std::size_t revealed() const { return rows_; }
  // Every endpoint the trace names, sorted ("client:40000", "server:80").
  QStringList endpoints() const;

  // One line describing a record: segment flags and numbers, fate of a delivery or drop, state
  // change, timer, application call, note. A delivery, drop or effect names the record (#N)
  // that sent its segment.
  QString summary(std::size_t row) const;
  // The record as compact JSON (the same object the JSON Lines output writes).
  QString details(std::size_t row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  // The "send" record that carried segment `id` (a duplicate's copy maps to its original's).
  const trace::SegmentSent* sent_record(trace::SegmentId id) const;
  std::string segment_label(trace::SegmentId id) const;
  QStringList endpoints_of(std::size_t row) const;

  const trace::Trace* trace_ = nullptr;
  std::size_t rows_ = 0;
  std::unordered_map<trace::SegmentId, std::size_t> sent_at_;  // segment id -> row of its "send"
  AddressBook book_;
  const trace::TraceFacts* facts_ = nullptr;
  trace::LabelOptions label_options_;
};

// Keeps the rows whose kind or node column contains each whitespace-separated word of the
// pattern (case-insensitive), of kind `kind` (exactly; "" any) and involving endpoint `endpoint`
// ("" any). An empty pattern keeps every row.
class KindNodeFilter final : public QSortFilterProxyModel {
 public:
  explicit KindNodeFilter(QObject* parent = nullptr);
  void set_pattern(const QString& pattern);
  void set_kind(const QString& kind);
  void set_endpoint(const QString& endpoint);
  const QStringList& words() const { return words_; }

 protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

 private:
  QStringList words_;
  QString kind_;
  QString endpoint_;
};

}  // namespace tcpsim::gui
