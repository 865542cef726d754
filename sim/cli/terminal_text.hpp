// What the CLI prints passes through a PrintableBuf: scenario text (descriptions, notes, names,
// file paths) reaches the terminal with its control characters, escape sequences and invalid
// UTF-8 written as escapes (sim::printable), whichever part of the program printed it. Lines
// are kept; so are tabs; and, when the ladder is coloured, the colour sequences it writes
// itself (ESC [ digits m), and no other escape.
#pragma once

#include <ostream>
#include <streambuf>
#include <string>

namespace tcpsim::cli {

class PrintableBuf final : public std::streambuf {
 public:
  explicit PrintableBuf(std::ostream& dest) : dest_(dest) {}
  ~PrintableBuf() override;
  PrintableBuf(const PrintableBuf&) = delete;
  PrintableBuf& operator=(const PrintableBuf&) = delete;

  // Let SGR colour sequences through (only what the CLI itself colours: set when --color is on).
  void allow_colour(bool on) { allow_colour_ = on; }

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  // Writes the complete lines held, or everything when `all`; false when the destination failed.
  bool drain(bool all);

  std::ostream& dest_;
  std::string pending_;
  bool allow_colour_ = false;
};

// `line` made printable, keeping tabs and, when `colour`, SGR sequences (ESC '[' [0-9;]* 'm').
std::string printable_line(const std::string& line, bool colour);

}  // namespace tcpsim::cli
