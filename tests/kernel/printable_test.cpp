#include <catch2/catch.hpp>

#include <string>

#include "sim/kernel/printable.hpp"

using tcpsim::sim::is_printable;
using tcpsim::sim::printable;
using tcpsim::sim::PrintableOptions;
using tcpsim::sim::utf8_char_length;

TEST_CASE("printable text passes through unchanged, UTF-8 included", "[printable]") {
  for (const std::string s : {"", "client>server SYN seq=0", "A's ACK of B's FIN is lost", "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80",
                              "back\\slash stays"}) {
    CHECK(printable(s) == s);
    CHECK(is_printable(s));
  }
}

TEST_CASE("terminal escape sequences are written out, not sent to the terminal", "[printable]") {
  // An OSC title change, a clear-screen, a bell, a colour: what a hostile description holds.
  CHECK(printable("\x1b]0;pwned\x07") == "\\e]0;pwned\\a");
  CHECK(printable("\x1b[2J\x1b[H") == "\\e[2J\\e[H");
  CHECK(printable("red \x1b[31mtext") == "red \\e[31mtext");
  CHECK(printable(std::string("nul\0byte", 8)) == "nul\\x00byte");
  CHECK(printable("del\x7f") == "del\\x7f");
  CHECK(printable("cr\rlf\n") == "cr\\rlf\\n");
  CHECK_FALSE(is_printable("\x1b[2J"));
}

TEST_CASE("newlines and tabs are kept only when asked for", "[printable]") {
  CHECK(printable("a\nb\tc") == "a\\nb\\tc");
  CHECK(printable("a\nb\tc", PrintableOptions{.keep_newlines = true, .keep_tabs = true}) == "a\nb\tc");
  CHECK(printable("a\r\n", PrintableOptions{.keep_newlines = true}) == "a\\r\n");
}

TEST_CASE("C1 controls and bidirectional overrides are escaped as code points", "[printable]") {
  CHECK(printable("\xc2\x9b" "2J") == "\\u{9b}2J");                   // U+009B, CSI on some terminals
  CHECK(printable("abc\xe2\x80\xae" "cba") == "abc\\u{202e}cba");     // RIGHT-TO-LEFT OVERRIDE
  CHECK(printable("\xe2\x81\xa6x\xe2\x81\xa9") == "\\u{2066}x\\u{2069}");  // isolates
  CHECK(printable("\xc2\xa0") == "\xc2\xa0");                         // U+00A0 is printable
}

TEST_CASE("bytes that are not UTF-8 read as \\xNN and the result is valid UTF-8", "[printable]") {
  CHECK(printable("\xff\xfe") == "\\xff\\xfe");
  CHECK(printable("\xc3") == "\\xc3");                  // cut short
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");         // overlong '/'
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a UTF-16 surrogate
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  CHECK(printable("ok\x80ok") == "ok\\x80ok");
}

TEST_CASE("printable is idempotent: escaping escaped text changes nothing", "[printable]") {
  const std::string junk = "\x1b]0;t\x07\xff\xc2\x9b\xe2\x80\xae\n\t\r\x01 plain";
  const std::string once = printable(junk);
  CHECK(printable(once) == once);
  CHECK(is_printable(once));
}

TEST_CASE("utf8_char_length accepts exactly the valid encodings", "[printable]") {
  CHECK(utf8_char_length("a") == 1);
  CHECK(utf8_char_length("\xc3\xa9") == 2);
  CHECK(utf8_char_length("\xe2\x86\x92") == 3);
  CHECK(utf8_char_length("\xf0\x9f\x98\x80") == 4);
  CHECK(utf8_char_length("\xe0\x80\x80") == 0);
  CHECK(utf8_char_length("\xf0\x80\x80\x80") == 0);
  CHECK(utf8_char_length("\xe2\x86") == 0);
  CHECK(utf8_char_length("") == 0);
}
