// JSON syntax errors in plain words. nlohmann_json reports where its lexer stopped and a technical
// message ("syntax error while parsing object - unexpected string literal; expected '}'"); this
// file moves the position to the start of the offending token and says what is probably wrong
// ("expected ',' or '}' after an object member, found string "b"; is a comma missing?").

#include "sim/scenario/loader_detail.hpp"

namespace tcpsim::scenario::detail {
namespace {

// Builds the document through nlohmann's own DOM builder, but keeps the error instead of throwing
// (a number overflow, for one, otherwise arrives as an exception without a position).
class DomBuilder {
 public:
  explicit DomBuilder(Json& root) : dom_(root, false) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const std::string& s) { return dom_.number_float(v, s); }
  bool string(std::string& v) { return dom_.string(v); }
  bool binary(Json::binary_t& v) { return dom_.binary(v); }
  bool start_object(std::size_t n) { return dom_.start_object(n); }
  bool key(std::string& v) { return dom_.key(v); }
  bool end_object() { return dom_.end_object(); }
  bool start_array(std::size_t n) { return dom_.start_array(n); }
  bool end_array() { return dom_.end_array(); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/, const nlohmann::detail::exception& e) {
    failed = true;
    chars_read = position;
    id = e.id;
    what = e.what();
    return false;
  }

  bool failed = false;
  std::size_t chars_read = 0;
  int id = 0;
  std::string what;

 private:
  nlohmann::detail::json_sax_dom_parser<Json> dom_;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_punct(char c) { return c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ','; }

// The word (literal, number or string up to the offset) that starts at `start`.
std::string token_text(std::string_view text, std::size_t start, std::size_t last) {
  if (start >= text.size()) return "";
  if (is_punct(text[start])) return std::string(1, text[start]);
  std::size_t end = start + 1;
  if (text[start] == '"') {
    end = std::min(text.size(), last + 1);
  } else {
    while (end < text.size() && !is_space(text[end]) && !is_punct(text[end]) && text[end] != '"') ++end;
  }
  std::string word(text.substr(start, std::min<std::size_t>(end - start, 40)));
  if (end - start > 40) word += "...";
  return word;
}

// How a token reads in a message: string "b", '}', 2, tru.
std::string describe(const std::string& token) {
  if (token.empty()) return "the end of the file";
  if (token.size() == 1 && is_punct(token[0])) return "'" + token + "'";
  if (token[0] == '"') return "string " + token;
  return token;
}

// The offset of the previous non-space character before `offset`, or kNoOffset.
std::size_t previous_char(std::string_view text, std::size_t offset) {
  while (offset > 0) {
    --offset;
    if (!is_space(text[offset])) return offset;
  }
  return kNoOffset;
}

SyntaxError explain(std::string_view text, const DomBuilder& b) {
  // nlohmann counts characters read; the last one read is where it gave up.
  const bool at_end = b.chars_read > text.size() || b.chars_read == 0;
  const std::size_t last = at_end ? text.size() : b.chars_read - 1;
  std::string detail = b.what;
  if (const std::size_t colon = detail.find(": ", detail.find("column ")); b.id == 101 && colon != std::string::npos)
    detail = detail.substr(colon + 2);
  else if (const std::size_t bracket = detail.find("] "); bracket != std::string::npos)
    detail = detail.substr(bracket + 2);

  std::string context;  // "object", "object key", "value", ...
  constexpr std::string_view kSyntax = "syntax error while parsing ";
  if (detail.starts_with(kSyntax)) {
    const std::size_t dash = detail.find(" - ");
    context = detail.substr(kSyntax.size(), dash - kSyntax.size());
    detail = dash == std::string::npos ? "" : detail.substr(dash + 3);
  }
  const bool top_level_done = detail.find("expected end of input") != std::string::npos;
  std::string lexer_problem;  // e.g. "invalid literal"
  if (const std::size_t lr = detail.find("; last read:"); lr != std::string::npos) lexer_problem = detail.substr(0, lr);

  if (detail.starts_with("unexpected end of input")) {
    std::string what = "the file ends before the JSON text is complete";
    if (detail.find("expected '}'") != std::string::npos) what += "; an object is not closed (expected '}')";
    else if (detail.find("expected ']'") != std::string::npos) what += "; an array is not closed (expected ']')";
    else what += "; expected a value";
    return {text.size(), what};
  }

  std::size_t start = at_end ? text.size() : token_start(text, last);
  // A lexer error is found on the character after a bad literal ("tru}" fails at '}'): point at
  // the literal itself.
  if (!lexer_problem.empty() && start == last && last > 0 && !is_space(text[last - 1]) && !is_punct(text[last - 1]) &&
      text[last - 1] != '"')
    start = token_start(text, last - 1);
  const std::string token = token_text(text, start, last);
  const std::string found = describe(token);

  if (top_level_done)
    return {start, "unexpected " + found + " after the end of the top-level value; a scenario file holds one JSON object"};
  if (b.id == 406)  // number overflow
    return {start, "number " + token + " is out of range"};
  if (!lexer_problem.empty()) {
    if (lexer_problem.starts_with("invalid string: missing closing quote"))
      return {start, "a string is missing its closing quote"};
    if (lexer_problem.starts_with("invalid string"))
      return {last, lexer_problem};
    if (lexer_problem.starts_with("invalid number"))
      return {start, "invalid number " + token + lexer_problem.substr(std::string_view("invalid number").size())};
    if (token.starts_with("/")) return {start, "comments are not allowed in JSON"};
    if (token.starts_with("'")) return {start, "strings must be in double quotes, found " + token};
    if (context == "object key")
      return {start, "expected a field name in double quotes, found " + token};
    std::string msg = "invalid value " + token + "; expected an object, array, string, number, true, false or null";
    if (token == "True" || token == "False" || token == "Null" || token == "TRUE" || token == "FALSE" || token == "NULL")
      msg += " (JSON literals are lower case)";
    return {start, msg};
  }
  if (context == "object")
    return {start, "expected ',' or '}' after an object member, found " + found + "; is a comma missing?"};
  if (context == "array")
    return {start, "expected ',' or ']' after an array element, found " + found + "; is a comma missing?"};
  if (context == "object key") {
    if (token == "}") return {start, "expected a field name in double quotes after ',', found '}'; JSON does not allow a trailing comma"};
    return {start, "expected a field name in double quotes, found " + found};
  }
  if (context == "object separator") return {start, "expected ':' after the field name, found " + found};
  if (context == "value") {
    const std::size_t prev = previous_char(text, start);
    if ((token == "]" || token == "}") && prev != kNoOffset && text[prev] == ',')
      return {start, "expected a value after ',', found " + found + "; JSON does not allow a trailing comma"};
    return {start, "expected a value (an object, array, string, number, true, false or null), found " + found};
  }
  return {start, detail.empty() ? std::string("invalid JSON") : detail};
}

// The first '[' or '{' nested deeper than kMaxDepth, outside strings; kNoOffset if none. A
// scenario is a few levels deep; a file of a million '[' would otherwise cost a DOM node and an
// index frame per level.
constexpr std::size_t kMaxDepth = 64;
std::size_t too_deep(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return kNoOffset;
}

}  // namespace

std::optional<Json> parse_json(std::string_view text, SyntaxError& error) {
  if (const std::size_t at = too_deep(text); at != kNoOffset) {
    error = {at, "arrays and objects are nested more than " + std::to_string(kMaxDepth) +
                     " levels deep here; a scenario needs only a few levels"};
    return std::nullopt;
  }
  Json root;
  DomBuilder builder(root);
  const bool ok = Json::sax_parse(text, &builder, Json::input_format_t::json, /*strict=*/true, /*ignore_comments=*/false);
  if (ok && !builder.failed) return root;
  error = explain(text, builder);
  return std::nullopt;
}

}  // namespace tcpsim::scenario::detail
