// Text that is safe to show on a terminal.
//
// Scenario files are user input: a description, a note or a host name may hold escape sequences
// (an OSC title change, a clear-screen), other control characters, Unicode bidirectional
// overrides, or bytes that are not UTF-8 at all. Everything the project prints to a terminal or
// puts in an error message goes through printable() first, so such text reads as what it is.
#pragma once

#include <string>
#include <string_view>

namespace tcpsim::sim {

struct PrintableOptions {
  bool keep_newlines = false;  // '\n' passes through (multi-line text); otherwise it reads "\n"
  bool keep_tabs = false;      // '\t' passes through; otherwise it reads "\t"
};

// `text` with every character a terminal would act on written as an escape:
//   C0 controls and DEL     -> \n \r \t \e \a \b \f \v, or \x7f / \x01 ...
//   C1 controls U+0080-009F -> \u{9b} ...
//   bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069) -> \u{202e} ...
//   a byte that does not start a valid UTF-8 character -> \xNN
// A backslash is kept as it is. The result is valid UTF-8 and printable() of it is itself.
std::string printable(std::string_view text, PrintableOptions options = {});

// True when printable(text, options) == text (nothing to escape).
bool is_printable(std::string_view text, PrintableOptions options = {});

// The length (1-4) of the valid UTF-8 character at the start of `text`, or 0 when the bytes
// there are not one (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, or
// a sequence cut short).
std::size_t utf8_char_length(std::string_view text);

}  // namespace tcpsim::sim
