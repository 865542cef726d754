#include "sim/cli/terminal_text.hpp"

#include "sim/kernel/printable.hpp"

namespace tcpsim::cli {
namespace {

// The length of the SGR sequence at `pos` (ESC '[' [0-9;]* 'm'), or 0.
std::size_t sgr_length(const std::string& s, std::size_t pos) {
  if (pos + 2 >= s.size() || s[pos] != '\x1b' || s[pos + 1] != '[') return 0;
  std::size_t i = pos + 2;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == ';')) ++i;
  return i < s.size() && s[i] == 'm' ? i + 1 - pos : 0;
}

}  // namespace

std::string printable_line(const std::string& line, bool colour) {
  const sim::PrintableOptions opts{.keep_newlines = true, .keep_tabs = true};
  if (!colour) return sim::printable(line, opts);
  std::string out;
  std::size_t start = 0;
  for (std::size_t i = line.find('\x1b'); i != std::string::npos; i = line.find('\x1b', i + 1)) {
    const std::size_t n = sgr_length(line, i);
    if (n == 0) continue;
    out += sim::printable(std::string_view(line).substr(start, i - start), opts);
    out.append(line, i, n);
    start = i + n;
    i += n - 1;
  }
  out += sim::printable(std::string_view(line).substr(start), opts);
  return out;
}

PrintableBuf::~PrintableBuf() { drain(true); }

bool PrintableBuf::drain(bool all) {
  const std::size_t end = all ? pending_.size() : pending_.rfind('\n') + 1;  // npos + 1 == 0
  if (end == 0) return true;
  const std::string text = printable_line(pending_.substr(0, end), allow_colour_);
  pending_.erase(0, end);
  dest_.write(text.data(), static_cast<std::streamsize>(text.size()));
  return static_cast<bool>(dest_);
}

PrintableBuf::int_type PrintableBuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  pending_ += traits_type::to_char_type(c);
  if (c == '\n' && !drain(false)) return traits_type::eof();
  return c;
}

std::streamsize PrintableBuf::xsputn(const char* s, std::streamsize n) {
  pending_.append(s, static_cast<std::size_t>(n));
  if (pending_.find('\n', pending_.size() - static_cast<std::size_t>(n)) != std::string::npos && !drain(false))
    return 0;
  return n;
}

int PrintableBuf::sync() {
  if (!drain(true)) return -1;
  dest_.flush();
  return dest_ ? 0 : -1;
}

}  // namespace tcpsim::cli
