// RFC 9293 Figure 5 drawn as a graph: the eleven states as nodes placed as in the figure, the
// edges taken from tcp::all_transitions() (models/tcp/state.hpp), so the picture shows exactly
// the transitions the model can take. Edges of the figure are labelled with their events; the
// edges the figure leaves to its notes (RST, ABORT, timeouts back to CLOSED or LISTEN) are drawn
// faint and unlabelled until taken.
//
// CLOSED is drawn twice, as in the figure: at the top where connections start, and at the
// bottom right where the closing states end ("delete TCB"); edges into CLOSED from ESTABLISHED
// and later go to the bottom one.
//
// set_transition() highlights the transition just taken by the followed connection (edge and
// both nodes); set_state() only marks the state it is in. The caption (who moved and why) is
// kept for the window to show beside the drawing.
#pragma once

#include <QGraphicsView>
#include <QString>
#include <map>
#include <string>
#include <utility>

class QGraphicsPathItem;
class QGraphicsRectItem;
class QGraphicsSimpleTextItem;
class QGraphicsPolygonItem;

namespace tcpsim::gui {

class StateDiagram final : public QGraphicsView {
 public:
  explicit StateDiagram(QWidget* parent = nullptr);

  // States in the trace's spelling ("SYN_SENT"); unknown names are ignored.
  void set_transition(const std::string& from, const std::string& to, const QString& caption);
  void set_state(const std::string& state, const QString& caption);
  void clear_highlight();

  // For tests: the highlighted edge ("SYN_SENT>ESTABLISHED") or "" and the highlighted state.
  QString highlighted_edge() const { return edge_; }
  QString current_state() const { return state_; }
  int edge_count() const { return static_cast<int>(edges_.size()); }
  QString edge_label(const std::string& from, const std::string& to) const;
  QString caption() const;

 protected:
  void resizeEvent(QResizeEvent* e) override;

 private:
  struct Node {
    QGraphicsRectItem* box;
    QGraphicsSimpleTextItem* text;
  };
  struct Edge {
    QGraphicsPathItem* path;
    QGraphicsPolygonItem* head;
    QGraphicsSimpleTextItem* label;  // null for the faint edges
    bool primary;
    QString events;
  };
  void paint_normal();

  std::multimap<std::string, Node> nodes_;
  std::map<std::pair<std::string, std::string>, Edge> edges_;
  QString caption_;
  QString edge_;
  QString state_;
};

}  // namespace tcpsim::gui
