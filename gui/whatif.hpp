// What-if editing: change a link's delay or loss, the scenario's fault rules, its profile or
// its TCP parameters, and re-run. Profile and parameters go through the scenario loader itself
// (scenario::with_tcp): the same names, value syntax and checks as a scenario file.
//
// fault_rule_for_segment() turns "drop / delay / duplicate this segment" into the fault rule
// that does exactly that in a re-run: it matches the segment's sender and receiver (addresses
// and ports) and picks its n-th occurrence among the segments that rule would see. Rules are
// evaluated at the sender in file order and a drop stops the evaluation (models/net/network.cpp),
// so a rule appended at the end counts only the matching segments no earlier rule dropped.
// Everything before that segment is unchanged in the re-run (same seed, same events), so the
// n-th match is the same segment.
#pragma once

#include <QWidget>
#include <functional>
#include <optional>
#include <string>

#include "gui/connections.hpp"
#include "models/net/config.hpp"
#include "sim/scenario/scenario.hpp"

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace tcpsim::gui {

// The rule that applies `action` (with `delay` for Delay) to the segment record `record` is
// about (its send, delivery, drop, ...). nullopt with `why` set when the record is not about a
// segment or the segment was already dropped by a fault rule at its sender.
std::optional<net::FaultRule> fault_rule_for_segment(const trace::Trace& trace, std::size_t record,
                                                     trace::FaultAction action, sim::Duration delay, std::string* why);

// "drop the 2nd segment from client:40000 to server:80": a rule as a sentence.
std::string describe(const net::FaultRule& rule, const AddressBook& book);

class WhatIfPanel final : public QWidget {
 public:
  enum LinkColumn { LinkName, DelayAB, LossAB, DelayBA, LossBA, LinkColumns };
  enum FaultColumn { Number, Action, Delay, Nth, Match, FaultColumns };
  enum TcpColumn { Param, Value, TcpColumns };

  explicit WhatIfPanel(QWidget* parent = nullptr);

  // Shows the links and fault rules of `s` (the scenario of the run on screen).
  void set_scenario(const scenario::Scenario& s);
  // The scenario with the table's values; nullopt and `error` set when a cell cannot be read.
  std::optional<scenario::Scenario> edited(std::string* error) const;
  void show_error(const QString& text);

  void on_rerun(std::function<void()> f) { rerun_ = std::move(f); }
  void on_save(std::function<void()> f) { save_ = std::move(f); }
  // The panel's "drop / delay / duplicate the selected segment" buttons.
  void on_segment_action(std::function<void(trace::FaultAction, sim::Duration)> f) { segment_action_ = std::move(f); }

  QTableWidget* links() { return links_; }
  QTableWidget* faults() { return faults_; }
  QTableWidget* tcp() { return tcp_; }  // one row per TCP parameter: name, value as a scenario writes it
  QComboBox* profile() { return profile_; }
  QPushButton* rerun_button() { return rerun_button_; }

 private:
  std::optional<scenario::Scenario> base_;
  AddressBook book_;
  QTableWidget* links_;
  QTableWidget* faults_;
  QComboBox* profile_;
  QTableWidget* tcp_;
  std::vector<std::string> tcp_shown_;  // the values as shown, to tell the edited ones
  QLabel* error_;
  QPushButton* rerun_button_;
  std::function<void()> rerun_;
  std::function<void()> save_;
  std::function<void(trace::FaultAction, sim::Duration)> segment_action_;
};

}  // namespace tcpsim::gui
