// The SVG writer: well-formed XML, one line per arrow, readable text, no overlapping labels.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/diagram/svg.hpp"
#include "tests/diagram/exchange.hpp"

using namespace tcpsim;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// A crude XML check: every tag opens and closes in order, attributes quoted, entities known.
bool well_formed(const std::string& x, std::string* why) {
  std::vector<std::string> open;
  std::size_t i = x.find("<svg");
  if (i == std::string::npos) return *why = "no <svg>", false;
  while (i < x.size()) {
    const auto lt = x.find('<', i);
    const std::string text = x.substr(i, (lt == std::string::npos ? x.size() : lt) - i);
    for (auto amp = text.find('&'); amp != std::string::npos; amp = text.find('&', amp + 1)) {
      const auto semi = text.find(';', amp);
      const std::string ent = text.substr(amp, semi == std::string::npos ? 6 : semi - amp + 1);
      if (ent != "&amp;" && ent != "&lt;" && ent != "&gt;" && ent != "&quot;" && ent != "&apos;")
        return *why = "bad entity " + ent, false;
    }
    if (lt == std::string::npos) break;
    const auto gt = x.find('>', lt);
    if (gt == std::string::npos) return *why = "unclosed tag", false;
    std::string tag = x.substr(lt + 1, gt - lt - 1);
    if (count(tag, "\"") % 2 != 0) return *why = "unbalanced quotes in <" + tag + ">", false;
    if (tag.find('<') != std::string::npos) return *why = "< inside a tag", false;
    if (!tag.empty() && tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) return *why = "</" + tag.substr(1) + "> closes nothing open", false;
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(tag.substr(0, tag.find_first_of(" \n")));
    }
    i = gt + 1;
  }
  if (!open.empty()) return *why = "<" + open.back() + "> never closed", false;
  return true;
}

}  // namespace

TEST_CASE("The SVG of a handshake, transfer and close is well-formed with one line per arrow", "[svg]") {
  test::Exchange ex(2000);
  const auto layout = diagram::build_layout(ex.trace, {}, {"demo <&> \"quotes\"", {}});
  const std::string svg = diagram::to_svg(layout);
  std::string why;
  CHECK(well_formed(svg, &why));
  INFO(why);
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(count(svg, "<line data-kind=\"arrow ") == layout.arrows.size());
  CHECK(count(svg, "<line data-kind=\"lifeline\"") == layout.lanes.size());
  CHECK(count(svg, "<rect data-kind=\"band\"") == layout.bands.size());
  CHECK(count(svg, "<path data-kind=\"timer ") == layout.timers.size());
  // The title is escaped, and every label is written once.
  CHECK(svg.find("demo &lt;&amp;&gt; &quot;quotes&quot;") != std::string::npos);
  CHECK(count(svg, ">SYN seq=0 win=65535</text>") == 1);
  CHECK(count(svg, ">ESTABLISHED</text>") == 2);
  CHECK(count(svg, "font-size=\"12\"") > 10);
  // Lanes and arrows lie inside the picture.
  for (const auto& a : layout.arrows) {
    CHECK(a.to.x < layout.width);
    CHECK(a.to.y < layout.height);
  }
}

TEST_CASE("The SVG draws no two text boxes over each other on a handshake and close", "[svg][labels]") {
  test::Exchange ex;
  const auto layout = diagram::build_layout(ex.trace, {});
  const std::string svg = diagram::to_svg(layout);
  // Every <text> is drawn at its layout box; the layout's boxes are pairwise disjoint.
  const auto boxes = layout.label_boxes();
  CHECK(count(svg, "<text ") == boxes.size());
  for (std::size_t i = 0; i < boxes.size(); ++i)
    for (std::size_t j = i + 1; j < boxes.size(); ++j) CHECK(!boxes[i].overlaps(boxes[j]));
}

TEST_CASE("Lost, in-flight, retransmitted and duplicated arrows are styled apart", "[svg]") {
  trace::Trace t;
  const auto a = t.add_node("a"), b = t.add_node("b");
  net::Segment s;
  s.src = *net::Ipv4::parse("10.0.0.1");
  s.dst = *net::Ipv4::parse("10.0.0.2");
  s.sport = 1;
  s.dport = 2;
  s.flags.syn = true;
  const auto at = [](int ms) { return sim::Time::zero() + sim::Duration::ms(ms); };
  t.emit(at(0), trace::SegmentSent{0, a, s});
  t.emit(at(5), trace::SegmentDropped{0, b, trace::DropReason::Loss});
  t.emit(at(1000), trace::SegmentSent{1, a, s, false, {}, /*retransmission=*/true});
  t.emit(at(1001), trace::SegmentDuplicated{1, 2, a, trace::EffectCause::Link});
  t.emit(at(1010), trace::SegmentDelivered{1, b});
  const std::string svg = diagram::to_svg(diagram::build_layout(t, {}));
  CHECK(count(svg, "data-kind=\"arrow lost\"") == 1);
  CHECK(count(svg, "data-kind=\"arrow delivered retx\"") == 1);
  CHECK(count(svg, "data-kind=\"arrow inflight copy\"") == 1);
  CHECK(count(svg, "<path data-kind=\"cross\"") == 1);
  CHECK(count(svg, ">lost: loss</text>") == 1);
  CHECK(count(svg, "stroke-dasharray=\"6 4\"") == 1);  // in flight
  std::string why;
  CHECK(well_formed(svg, &why));
}

TEST_CASE("A wrapped note is drawn inside its box: the first line at the top, one line per row", "[svg]") {
  // A host's discard note with timestamps in it wraps over three lines.
  diagram::Layout l;
  diagram::Annotation a;
  a.kind = diagram::AnnotationKind::Note;
  a.record = 7;
  a.label.small = true;
  a.label.text = "discard 10.0.0.2:80 >\n10.0.0.1:1000 [FIN,ACK] seq\n300 ack 101 win 65535 <TS...";
  const double line = diagram::Style::small_px * diagram::Style::line_h;
  a.label.box = {100, 200, 200, 3 * line};
  l.annotations.push_back(a);
  l.width = 400;
  l.height = 400;
  const std::string svg = diagram::to_svg(l);
  const auto at = svg.find("data-record=\"7\"");
  REQUIRE(at != std::string::npos);
  const auto text = svg.rfind("<text", at);
  const auto y = svg.find(" y=\"", text);
  REQUIRE(y < at);
  const double baseline = std::stod(svg.substr(y + 4));
  // The first baseline lies in the first line (78% down it), not 78% down the whole box; the
  // third line, 2 x 1.3em below, then ends inside the box.
  CHECK(baseline == Approx(200 + line * 0.78).margin(0.1));  // written to 0.1 px
  CHECK(baseline + 2 * line <= 200 + 3 * line);
  CHECK(count(svg, "<tspan") == 3);
}
