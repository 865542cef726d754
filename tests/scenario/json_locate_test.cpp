// The JSON location index: pointers to offsets, key positions, duplicates, line:column.

#include <catch2/catch.hpp>

#include <string>

#include "sim/scenario/json_locate.hpp"

using namespace tcpsim::scenario;

TEST_CASE("The index finds the offset of every value and key by JSON pointer", "[loader][json-locate]") {
  const std::string text = R"({"a": {"b": [10, {"c": true}], "d": null}, "e": "x"})";
  const JsonIndex index(text);
  CHECK(index.value_offset("") == 0u);
  CHECK(index.value_offset("/a") == text.find("{\"b\""));
  CHECK(index.key_offset("/a") == text.find("\"a\""));
  CHECK(index.value_offset("/a/b/0") == text.find("10"));
  CHECK_FALSE(index.key_offset("/a/b/0").has_value());
  CHECK(index.value_offset("/a/b/1/c") == text.find("true"));
  CHECK(index.key_offset("/a/b/1/c") == text.find("\"c\""));
  CHECK(index.value_offset("/a/d") == text.find("null"));
  CHECK(index.value_text("/e") == "\"x\"");
  CHECK(index.value_text("/a/b") == "[10, {\"c\": true}]");
}

TEST_CASE("Pointers that lead nowhere are not found", "[loader][json-locate]") {
  const JsonIndex index(R"({"a": [1, 2], "b": {}})");
  CHECK_FALSE(index.value_offset("/z").has_value());
  CHECK_FALSE(index.value_offset("/a/2").has_value());
  CHECK_FALSE(index.value_offset("/a/01").has_value());
  CHECK_FALSE(index.value_offset("/a/-").has_value());
  CHECK_FALSE(index.value_offset("/a/0/x").has_value());
  CHECK_FALSE(index.value_offset("/b/c").has_value());
  CHECK_FALSE(index.value_offset("a").has_value());
}

TEST_CASE("Escaped keys are decoded before they are compared", "[loader][json-locate]") {
  const std::string text = R"({"a/b": 1, "m~n": 2, "caf\u00e9": 3, "\ud83d\ude00": 4, "q\"t": 5})";
  const JsonIndex index(text);
  CHECK(index.value_offset("/a~1b") == text.find("1,"));
  CHECK(index.value_offset("/m~0n") == text.find("2,"));
  CHECK(index.value_offset("/caf\xC3\xA9") == text.find("3,"));
  CHECK(index.value_offset("/\xF0\x9F\x98\x80") == text.find("4,"));
  CHECK(index.value_offset("/q\"t") == text.find("5}"));
  CHECK(pointer_escape("a/b~c") == "a~1b~0c");
}

TEST_CASE("Members are listed in file order with their key offsets", "[loader][json-locate]") {
  const std::string text = R"({"z": 1, "a": 2, "z": 3})";
  const JsonIndex index(text);
  const auto members = index.members("");
  REQUIRE(members.size() == 3);
  CHECK(members[0].key == "z");
  CHECK(members[1].key == "a");
  CHECK(members[2].key == "z");
  CHECK(members[2].key_offset == text.rfind("\"z\""));
  // A duplicated key resolves to its last value, the one a parser keeps.
  CHECK(index.value_offset("/z") == text.find("3}"));
}

TEST_CASE("Duplicate keys are found at any depth, with both positions", "[loader][json-locate]") {
  const std::string text = R"({"a": [{"k": 1, "k": 2}], "b": {"x": {}, "y": 0, "x": []}})";
  const JsonIndex index(text);
  REQUIRE(index.duplicate_count() == 2);
  REQUIRE(index.duplicates().size() == 2);
  CHECK(index.duplicates()[0].key == "k");
  CHECK(index.duplicates()[0].pointer == "/a/0/k");
  CHECK(index.duplicates()[0].first_key_offset == text.find("\"k\""));
  CHECK(index.duplicates()[0].key_offset == text.find("\"k\": 2"));
  CHECK(index.duplicates()[1].pointer == "/b/x");
}

TEST_CASE("Deeply nested text is scanned without recursion", "[loader][json-locate]") {
  const std::size_t depth = 200'000;
  const std::string text = std::string(depth, '[') + "7" + std::string(depth, ']');
  const JsonIndex index(text);
  std::string pointer;
  for (int i = 0; i < 3; ++i) pointer += "/0";
  CHECK(index.value_offset(pointer) == 3u);
  CHECK(index.value_offset("") == 0u);
}

TEST_CASE("Line and column count characters, not bytes, and skip a byte order mark", "[loader][json-locate]") {
  const std::string text = "\xEF\xBB\xBF{\n\t\"\xC3\xA9\": 1}";
  CHECK(position_at(text, 3).line == 1);
  CHECK(position_at(text, 3).column == 1);
  const SourcePosition one = position_at(text, text.find('1'));
  CHECK(one.line == 2);
  CHECK(one.column == 7);  // tab, quote, e-acute, quote, colon, space
  CHECK(position_at(text, 10'000).line == 2);  // past the end: the end
}

TEST_CASE("The token start of an offset is found loosely, even in broken text", "[loader][json-locate]") {
  const std::string text = R"({"ab": tru} "x)";
  CHECK(token_start(text, text.find("b\"")) == 1);
  CHECK(token_start(text, text.find('u')) == text.find('t'));
  CHECK(token_start(text, text.find('}')) == text.find('}'));
  CHECK(token_start(text, text.find(' ')) == text.find(' '));
  CHECK(token_start(text, text.size() - 1) == text.rfind('"'));
}

TEST_CASE("In a large object every member is found, and of a duplicate the last", "[loader][json-locate]") {
  // More members than the index scans linearly, so the key map answers.
  std::string text = "{";
  for (int i = 0; i < 100; ++i) text += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
  text += R"("k7": "again", "a\/b": 1, "x~y": 2})";
  const JsonIndex index(text);
  CHECK(index.value_offset("/k0") == text.find("0,"));
  CHECK(index.value_offset("/k99") == text.find("99,"));
  CHECK(index.value_text("/k7") == "\"again\"");
  CHECK(index.key_offset("/k7") == text.rfind("\"k7\""));
  CHECK(index.value_offset("/a~1b") == text.find("1, \"x"));
  CHECK(index.value_text("/x~0y") == "2");
  CHECK_FALSE(index.value_offset("/k100").has_value());
}

TEST_CASE("The index's line:column of every byte is what position_at says", "[loader][json-locate]") {
  // Longer than the index's checkpoint stride, with a byte order mark, multi-byte characters
  // and lines of every length.
  std::string text = "\xEF\xBB\xBF{\"a\": [";
  for (int i = 0; i < 2000; ++i) text += std::string(i % 7 == 0 ? "\n" : "") + "\"\xC3\xA9\xE2\x82\xAC" + std::to_string(i) + "\", ";
  text += "1]}";
  REQUIRE(text.size() > 3 * 4096);
  const JsonIndex index(text);
  for (std::size_t offset = 0; offset <= text.size() + 1; ++offset) {
    const SourcePosition a = index.position(offset);
    const SourcePosition b = position_at(text, offset);
    if (a.line != b.line || a.column != b.column) {
      INFO("offset " << offset);
      CHECK(a.line == b.line);
      CHECK(a.column == b.column);
      break;
    }
  }
}
