// The sequence diagram as a standalone SVG document (plain text, no Qt): header with the title,
// a legend line, time axis, lanes, state bands, arrows, timers and annotations of a Layout.
// `tcpsim run --svg` and SequenceView::export_svg both write through this function, so both
// give the same picture for the same layout.
#pragma once

#include <ostream>
#include <string>

#include "sim/diagram/layout.hpp"

namespace tcpsim::diagram {

void write_svg(std::ostream& out, const Layout& layout);
std::string to_svg(const Layout& layout);
// Escapes &, <, >, " and ' for XML text and attributes.
std::string xml_escape(std::string_view text);

}  // namespace tcpsim::diagram
