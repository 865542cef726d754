// The SVG writer: one element per primitive, in drawing order (bands and lifelines under the
// arrows, text last), every element tagged with data-record for tools, <title> for tooltips.
#include "sim/diagram/svg.hpp"

#include <algorithm>

#include <cstdio>
#include <sstream>
#include <string_view>

namespace tcpsim::diagram {
namespace {

// Colours by element kind: presentation attributes, not CSS, and the kind in data-kind rather
// than class (ImageMagick turns every class into a nested context and gives up on big files).
const char* text_fill(std::string_view cls) {
  if (cls == "legend" || cls == "tick" || cls == "brk") return "#616161";
  if (cls == "reason") return "#c62828";
  if (cls == "state") return "#1b5e20";
  if (cls == "call") return "#37474f";
  if (cls == "notify") return "#4527a0";
  if (cls == "note") return "#8d6e63";
  if (cls == "timer-label") return "#6d4c41";
  return "#212121";
}
bool bold(std::string_view cls) { return cls == "title" || cls == "host" || cls == "state"; }

const char* arrow_stroke(const Arrow& a) {
  if (a.discarded) return "#8e24aa";
  if (a.fate == Fate::Lost) return "#c62828";
  if (a.retransmission) return "#e65100";
  if (a.copy) return "#6a1b9a";
  if (a.fate == Fate::InFlight) return "#1565c0";
  return "#263238";
}

// Coordinates with at most one decimal: short, and identical across runs.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  if (s == "-0") s = "0";
  return s;
}

class Writer {
 public:
  Writer(std::ostream& out, const Layout& l) : out_(out), l_(l) {}

  void write() {
    out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(l_.width) << "\" height=\"" << num(l_.height)
         << "\" viewBox=\"0 0 " << num(l_.width) << " " << num(l_.height) << "\">\n";
    style();
    out_ << "<rect data-kind=\"bg\" x=\"0\" y=\"0\" width=\"" << num(l_.width) << "\" height=\"" << num(l_.height)
         << "\" fill=\"#ffffff\"/>\n";
    header();
    lanes();
    for (const auto& b : l_.breaks) brk(b);
    for (const auto& b : l_.bands) band(b);
    for (const auto& t : l_.timers) timer(t);
    for (const auto& a : l_.arrows) arrow(a);
    for (const auto& a : l_.arrows) arrow_text(a);  // above every line
    for (const auto& s : l_.states) state(s);
    for (const auto& a : l_.annotations) annotation(a);
    for (const auto& t : l_.ticks) text(t.label, "tick");
    out_ << "</svg>\n";
  }

 private:
  void style() {
    out_ << "<defs>\n"
            "<marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
            "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#263238\"/></marker>\n"
            "<marker id=\"head-retx\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
            "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#e65100\"/></marker>\n"
            "</defs>\n";
  }

  void text(const Label& l, const char* cls, std::size_t record = kNone) {
    if (!l.shown()) return;
    // The first line's baseline: 78% down its own line (a wrapped note's box holds all its lines).
    const double lines = static_cast<double>(1 + std::count(l.text.begin(), l.text.end(), '\n'));
    out_ << "<text data-kind=\"" << cls << "\" x=\"" << num(l.box.x) << "\" y=\"" << num(l.box.y + l.box.h / lines * 0.78)
         << "\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\""
         << num(l.small ? Style::small_px : Style::font_px) << "\" fill=\"" << text_fill(cls) << "\""
         << (bold(cls) ? " font-weight=\"bold\"" : "") << (std::string_view(cls) == "call" ? " font-style=\"italic\"" : "");
    if (record != kNone) out_ << " data-record=\"" << record << "\"";
    out_ << ">";
    // Several lines (a wrapped note): one tspan per line.
    std::string_view rest = l.text;
    for (bool first = true; !rest.empty() || first; first = false) {
      const std::size_t nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
      if (first && rest.empty()) {
        out_ << xml_escape(line);
        break;
      }
      out_ << "<tspan x=\"" << num(l.box.x) << "\"" << (first ? "" : " dy=\"1.3em\"") << ">" << xml_escape(line) << "</tspan>";
    }
    out_ << "</text>\n";
  }

  void header() {
    text(l_.title_label, "title");
    text(l_.legend, "legend");
    for (const auto& h : l_.hosts) text(h.label, "host");
  }

  void lanes() {
    for (const auto& ln : l_.lanes) {
      text(ln.label, "lane");
      out_ << "<line data-kind=\"lifeline\" x1=\"" << num(ln.x) << "\" y1=\"" << num(l_.lanes_top) << "\" x2=\""
           << num(ln.x) << "\" y2=\"" << num(l_.lanes_bottom) << "\" stroke=\"#90a4ae\" stroke-width=\"1\"/>\n";
    }
  }

  void brk(const Break& b) {
    // A zigzag across the diagram at the middle of the squeezed gap.
    const double ym = (b.y0 + b.y1) / 2;
    out_ << "<polyline data-kind=\"zigzag\" points=\"";
    bool up = true;
    for (double x = Style::axis_w; x <= l_.width - 20; x += 12, up = !up) out_ << num(x) << "," << num(ym + (up ? -4 : 4)) << " ";
    out_ << "\" fill=\"none\" stroke=\"#9e9e9e\" stroke-width=\"1.2\"/>\n";
    text(b.label, "brk");
  }

  void band(const StateBand& b) {
    const double x = l_.lanes[b.lane].x - Style::band_w / 2;
    out_ << "<rect data-kind=\"band\" data-record=\"" << b.record << "\" x=\"" << num(x) << "\" y=\"" << num(b.y0)
         << "\" width=\"" << num(Style::band_w) << "\" height=\"" << num(b.y1 - b.y0) << "\" fill=\""
         << state_colour(b.state) << "\"><title>" << xml_escape(b.state) << "</title></rect>\n";
  }

  void timer(const TimerBracket& t) {
    const double lane_x = l_.lanes[t.lane].x;
    const double tick = t.x > lane_x ? 4 : -4;  // the bracket's ends point away from the lane
    const char* end = to_string(t.end);
    out_ << "<g data-record=\"" << t.record << "\"><title>" << xml_escape(t.timer) << " timer, " << end
         << (t.cause.empty() ? "" : "; armed by " + xml_escape(t.cause)) << "</title><path data-kind=\"timer " << end << "\" d=\"M" << num(t.x + tick) << "," << num(t.y0) << " H"
         << num(t.x) << " V" << num(t.y1);
    if (t.end != TimerEnd::Pending) out_ << " H" << num(t.x + tick);
    out_ << "\" fill=\"none\" stroke=\"#6d4c41\" stroke-width=\"1.2\""
         << (t.end == TimerEnd::Pending ? " stroke-dasharray=\"3 2\"" : "") << "/>";
    if (t.end != TimerEnd::Pending)
      out_ << "<circle data-kind=\"" << end << "\" cx=\"" << num(t.x) << "\" cy=\"" << num(t.y1) << "\" r=\"2.5\" fill=\""
           << (t.end == TimerEnd::Fired ? "#d84315" : "#ffffff") << "\" stroke=\"#6d4c41\"/>";
    out_ << "</g>\n";
    text(t.label, "timer-label small", t.record);
  }

  void arrow(const Arrow& a) {
    std::string cls = a.discarded ? "discarded" : a.fate == Fate::Lost ? "lost" : a.fate == Fate::InFlight ? "inflight" : "delivered";
    if (a.retransmission) cls += " retx";
    if (a.copy) cls += " copy";
    out_ << "<g data-record=\"" << a.record << "\"><title>" << xml_escape(a.label.text);
    if (!a.cause.empty()) out_ << " \xe2\x80\x94 " << xml_escape(a.cause);
    if (!a.effects.empty()) out_ << " (" << xml_escape(a.effects) << ")";
    out_ << "</title>";
    out_ << "<line data-kind=\"arrow " << cls << "\" x1=\"" << num(a.from.x) << "\" y1=\"" << num(a.from.y) << "\" x2=\""
         << num(a.to.x) << "\" y2=\"" << num(a.to.y) << "\" fill=\"none\" stroke=\"" << arrow_stroke(a)
         << "\" stroke-width=\"" << (a.retransmission ? "1.8" : "1.4") << "\"";
    if (a.fate == Fate::InFlight) out_ << " stroke-dasharray=\"6 4\"";
    else if (a.retransmission) out_ << " stroke-dasharray=\"2 3\"";
    if (a.fate == Fate::Delivered) out_ << " marker-end=\"url(#" << (a.retransmission ? "head-retx" : "head") << ")\"";
    out_ << "/>";
    if (a.discarded) {
      // A bar across the end: it arrived, and its receiver threw it away.
      const double s = 6;
      out_ << "<path data-kind=\"bar\" d=\"M" << num(a.to.x) << "," << num(a.to.y - s) << " L" << num(a.to.x) << ","
           << num(a.to.y + s) << "\" stroke=\"" << arrow_stroke(a) << "\" stroke-width=\"3\"/>";
    } else if (a.fate == Fate::Lost) {
      const double s = 5;
      out_ << "<path data-kind=\"cross\" d=\"M" << num(a.to.x - s) << "," << num(a.to.y - s) << " L" << num(a.to.x + s)
           << "," << num(a.to.y + s) << " M" << num(a.to.x - s) << "," << num(a.to.y + s) << " L" << num(a.to.x + s)
           << "," << num(a.to.y - s) << "\" stroke=\"#c62828\" stroke-width=\"2.2\"/>";
    }
    out_ << "</g>\n";
  }

  void arrow_text(const Arrow& a) {
    const Box& b = a.label.box;
    if (a.label.shown())
      out_ << "<rect data-kind=\"halo\" x=\"" << num(b.x - 2) << "\" y=\"" << num(b.y) << "\" width=\"" << num(b.w + 4)
         << "\" height=\"" << num(b.h) << "\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"none\"/>\n";
    if (a.copy) {
      // The x2 badge at the start of a duplicate's line.
      out_ << "<circle data-kind=\"badge\" cx=\"" << num(a.from.x + (a.to.x > a.from.x ? 12 : -12)) << "\" cy=\""
           << num(a.from.y) << "\" r=\"3\" fill=\"#6a1b9a\"/>\n";
    }
    text(a.label, "label", a.record);
    text(a.reason_label, "reason", a.record);
  }

  void state(const StateMark& s) {
    out_ << "<g><title>" << xml_escape(s.from) << " \xe2\x86\x92 " << xml_escape(s.to) << ": " << xml_escape(s.cause)
         << "</title>";
    text(s.label, "state", s.record);
    out_ << "</g>\n";
  }

  void annotation(const Annotation& a) {
    const char* cls = a.kind == AnnotationKind::Call ? "call" : a.kind == AnnotationKind::Notify ? "notify" : "note";
    out_ << "<g><title>" << xml_escape(a.detail) << "</title>";
    text(a.label, cls, a.record);
    out_ << "</g>\n";
  }

  std::ostream& out_;
  const Layout& l_;
};

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // Control characters other than tab and newline are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') out += ' ';
        else out += c;
    }
  }
  return out;
}

void write_svg(std::ostream& out, const Layout& layout) { Writer(out, layout).write(); }

std::string to_svg(const Layout& layout) {
  std::ostringstream s;
  write_svg(s, layout);
  return s.str();
}

}  // namespace tcpsim::diagram
