// The inspector: what the selected record says, and what each connection is at the cursor.
//
//   Selected record   for a segment: every header field, seq/ack absolute and relative to the
//                     sender's and receiver's ISN (the first SYN each side sent), options, the
//                     rule that sent it, and its fate as far as the cursor reveals it
//                     (delivered after d, dropped: reason, duplicated, delayed, in flight).
//   Connections       for each endpoint revealed (the most recently active first, at most
//                     kMaxEndpointsShown): its state, the cause of its last transition
//                     as a "why" line, its pending timers (all from the trace), and the TCB
//                     variables a replayed world reports (set_tcb()).
#pragma once

#include <QString>
#include <QStringList>
#include <QTreeWidget>
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "gui/run.hpp"

namespace tcpsim::gui {

// TCB variables of one endpoint at the cursor, as (name, value) pairs ("SND.UNA", "1001").
using TcbVariables = std::vector<std::pair<QString, QString>>;
using TcbProvider = std::function<std::optional<TcbVariables>(const ConnKey&)>;
// SND.UNA, SND.NXT, SND.WND, RCV.NXT, RCV.WND (absolute, and relative to ISS / IRS), RTO, ...
TcbVariables tcb_rows(const tcp::Status& s);

// Endpoints listed at most (the most recently active first); the rest are counted.
inline constexpr std::size_t kMaxEndpointsShown = 12;

class Inspector final : public QTreeWidget {
 public:
  explicit Inspector(QWidget* parent = nullptr);

  // Shows record `selected` (if any) and the endpoints at `cursor` of `run` (nullptr: empty).
  // `tcb` (optional) answers the TCB variables of an endpoint at the cursor.
  void show_at(const Run* run, std::size_t cursor, std::optional<std::size_t> selected, const TcbProvider& tcb = {});

  // Every row as "name: value" lines, indented by depth (for tests and copying).
  QString text() const;
};

}  // namespace tcpsim::gui
