// The event table: one row per trace record, read straight from a World's trace.
//
// The model never copies records: it keeps a pointer to the trace and the number of rows it has
// announced, and sync() announces the records appended since (beginInsertRows), so stepping a
// world adds rows one event at a time. The filter keeps rows whose kind or node contains every
// word typed ("drop", "r1", "deliver server").
#pragma once

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QString>
#include <QStringList>
#include <cstddef>
#include <string>
#include <unordered_map>

#include "sim/trace/trace.hpp"

namespace tcpsim::gui {

// "sent 16 (injected 16), duplicates 1, delivered 12, dropped 4 (loss 2, fault 1, no-route 1),
// in flight 1": the segment accounting of a trace, as one line.
QString segment_counts_text(const trace::SegmentCounts& c);

class EventTableModel final : public QAbstractTableModel {
 public:
  enum Column { Index, Time, Kind, Node, Summary, Details, ColumnCount };

  explicit EventTableModel(QObject* parent = nullptr);

  // Shows `trace` (nullptr: nothing). Resets the model; call sync() to announce its records.
  void set_trace(const trace::Trace* trace);
  // Announces the records appended to the trace since the last call.
  void sync();

  // One line describing a record: segment flags and numbers, fate of a delivery or drop, state
  // change, timer, application call, note. Segment records name the segment by its id.
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

  const trace::Trace* trace_ = nullptr;
  std::size_t rows_ = 0;
  std::unordered_map<trace::SegmentId, std::size_t> sent_at_;  // segment id -> row of its "send"
};

// Keeps the rows whose kind or node column contains each whitespace-separated word of the
// pattern (case-insensitive). An empty pattern keeps every row.
class KindNodeFilter final : public QSortFilterProxyModel {
 public:
  explicit KindNodeFilter(QObject* parent = nullptr);
  void set_pattern(const QString& pattern);
  const QStringList& words() const { return words_; }

 protected:
  bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

 private:
  QStringList words_;
};

}  // namespace tcpsim::gui
