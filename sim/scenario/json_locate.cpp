#include "sim/scenario/json_locate.hpp"

#include <unordered_map>

namespace tcpsim::scenario {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_punct(char c) { return c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ','; }

std::size_t skip_space(std::string_view t, std::size_t i) {
  while (i < t.size() && is_space(t[i])) ++i;
  return i;
}

std::size_t skip_bom(std::string_view t) { return t.starts_with(kBom) ? kBom.size() : 0; }

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Four hex digits at `i`, or nullopt.
std::optional<std::uint32_t> hex4(std::string_view t, std::size_t i) {
  if (i + 4 > t.size()) return std::nullopt;
  std::uint32_t v = 0;
  for (std::size_t k = i; k < i + 4; ++k) {
    const char c = t[k];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
    else return std::nullopt;
  }
  return v;
}

// Reads the JSON string whose opening quote is at `pos`, decoding it into `out` if given.
// Returns the offset just past the closing quote.
std::size_t read_string(std::string_view t, std::size_t pos, std::string* out) {
  std::size_t i = pos + 1;
  while (i < t.size() && t[i] != '"') {
    if (t[i] != '\\') {
      if (out != nullptr) *out += t[i];
      ++i;
      continue;
    }
    if (i + 1 >= t.size()) return t.size();
    const char e = t[i + 1];
    i += 2;
    if (out == nullptr) {
      continue;  // escapes never contain a quote that ends the string
    }
    switch (e) {
      case 'b': *out += '\b'; break;
      case 'f': *out += '\f'; break;
      case 'n': *out += '\n'; break;
      case 'r': *out += '\r'; break;
      case 't': *out += '\t'; break;
      case 'u': {
        std::uint32_t cp = hex4(t, i).value_or(0xFFFD);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < t.size() && t[i] == '\\' && t[i + 1] == 'u') {
          const std::uint32_t low = hex4(t, i + 2).value_or(0);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        append_utf8(*out, cp);
        break;
      }
      default: *out += e; break;  // \" \\ \/
    }
  }
  return i < t.size() ? i + 1 : t.size();
}

// A number or a literal (true, false, null): everything up to the next delimiter.
std::size_t skip_scalar(std::string_view t, std::size_t i) {
  while (i < t.size() && !is_space(t[i]) && !is_punct(t[i]) && t[i] != '"') ++i;
  return i;
}

std::string unescape_token(std::string_view token) {
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

std::optional<std::size_t> array_index(std::string_view token) {
  if (token.empty() || token.size() > 10 || (token.size() > 1 && token[0] == '0')) return std::nullopt;
  std::size_t v = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  return v;
}

}  // namespace

SourcePosition position_at(std::string_view text, std::size_t offset) {
  if (offset > text.size()) offset = text.size();
  const std::size_t bom = skip_bom(text);
  int line = 1;
  std::size_t line_start = bom;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  int column = 1;
  for (std::size_t i = line_start; i < offset; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;  // skip UTF-8 continuation bytes
  return {line, column};
}

std::size_t token_start(std::string_view text, std::size_t offset) {
  std::size_t i = skip_bom(text);
  while (i < text.size()) {
    if (is_space(text[i])) {
      if (i == offset) return offset;
      ++i;
      continue;
    }
    const std::size_t start = i;
    if (text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"' && text[i] != '\n') i += text[i] == '\\' ? 2 : 1;
      if (i < text.size() && text[i] == '"') ++i;
    } else if (is_punct(text[i])) {
      ++i;
    } else {
      i = skip_scalar(text, i);
    }
    if (offset < i) return offset < start ? offset : start;
  }
  return offset;
}

std::string pointer_escape(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

JsonIndex::JsonIndex(std::string_view text) : text_(text) { scan(); }

SourcePosition JsonIndex::position(std::size_t offset) const {
  if (offset > text_.size()) offset = text_.size();
  const std::size_t bom = skip_bom(text_);
  // Advances `pos` over byte i as position_at counts: a newline starts a line, a UTF-8
  // continuation byte is no new column, and the byte order mark does not count.
  auto advance = [&](SourcePosition& pos, std::size_t i) {
    if (i < bom) return;
    if (text_[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) {
      ++pos.column;
    }
  };
  if (checkpoints_.empty()) {
    checkpoints_.reserve(text_.size() / kStride + 1);
    SourcePosition pos{1, 1};
    for (std::size_t i = 0;; ++i) {
      if (i % kStride == 0) checkpoints_.push_back(pos);
      if (i == text_.size()) break;
      advance(pos, i);
    }
  }
  SourcePosition pos = checkpoints_[offset / kStride];
  for (std::size_t i = offset / kStride * kStride; i < offset; ++i) advance(pos, i);
  return pos;
}

void JsonIndex::scan() {
  const std::string_view t = text_;
  if (t.size() >= kNone) return;
  struct Frame {
    std::uint32_t node;
    bool object;
    std::vector<std::uint32_t> kids;
    std::unordered_map<std::string, std::uint32_t> keys;  // decoded key -> first key offset
    std::string token;                                    // the current member's escaped key
  };
  std::vector<Frame> stack;
  std::uint32_t pending_key = kNone;

  // Current path, for the pointer of a duplicate key (elided in the middle when absurdly deep).
  auto path = [&stack]() {
    std::string p;
    for (std::size_t d = 0; d + 1 < stack.size(); ++d) {
      if (d == 32 && stack.size() > 64) {
        p += "/...";
        d = stack.size() - 33;
        continue;
      }
      p += '/';
      p += stack[d].object ? stack[d].token : std::to_string(stack[d].kids.size() - 1);
    }
    return p;
  };
  // Reads `"key" :` at i (after '{' or ','); false if the text is not as expected.
  auto read_key = [&](std::size_t& i) {
    i = skip_space(t, i);
    if (i >= t.size() || t[i] != '"') return false;
    const auto key_at = static_cast<std::uint32_t>(i);
    std::string key;
    i = read_string(t, i, &key);
    Frame& f = stack.back();
    f.token = pointer_escape(key);
    const auto [it, inserted] = f.keys.emplace(key, key_at);
    if (!inserted) {
      if (duplicates_.size() < kMaxDuplicates)
        duplicates_.push_back({std::move(key), path() + "/" + f.token, key_at, it->second});
      ++duplicate_count_;
    }
    i = skip_space(t, i);
    if (i >= t.size() || t[i] != ':') return false;
    ++i;
    pending_key = key_at;
    return true;
  };

  std::size_t i = skip_bom(t);
  bool expect_value = true;
  while (true) {
    i = skip_space(t, i);
    if (i >= t.size()) return;
    if (expect_value) {
      const auto id = static_cast<std::uint32_t>(nodes_.size());
      nodes_.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1), pending_key, 0, 0});
      pending_key = kNone;
      if (!stack.empty()) stack.back().kids.push_back(id);
      const char c = t[i];
      if (c == '{' || c == '[') {
        stack.push_back({id, c == '{', {}, {}, {}});
        i = skip_space(t, i + 1);
        if (i >= t.size()) return;
        if (t[i] == '}' || t[i] == ']') {
          expect_value = false;  // empty: the closing bracket is handled below
        } else if (c == '{' && !read_key(i)) {
          return;
        }
        continue;
      }
      i = c == '"' ? read_string(t, i, nullptr) : skip_scalar(t, i);
      nodes_[id].end = static_cast<std::uint32_t>(i);
      expect_value = false;
      continue;
    }
    if (stack.empty()) return;  // the top-level value is complete
    const char c = t[i];
    if (c == ',') {
      ++i;
      if (stack.back().object && !read_key(i)) return;
      expect_value = true;
    } else if (c == '}' || c == ']') {
      Frame& f = stack.back();
      Node& n = nodes_[f.node];
      n.end = static_cast<std::uint32_t>(i + 1);
      n.first_child = static_cast<std::uint32_t>(children_.size());
      n.child_count = static_cast<std::uint32_t>(f.kids.size());
      children_.insert(children_.end(), f.kids.begin(), f.kids.end());
      stack.pop_back();
      ++i;
    } else {
      return;
    }
  }
}

std::optional<std::uint32_t> JsonIndex::find(std::string_view pointer) const {
  if (nodes_.empty()) return std::nullopt;
  std::uint32_t node = 0;
  if (pointer.empty()) return node;
  if (pointer.front() != '/') return std::nullopt;
  std::size_t pos = 1;
  while (true) {
    const std::size_t slash = pointer.find('/', pos);
    const std::string_view raw = pointer.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    const Node& n = nodes_[node];
    const char open = text_[n.start];
    std::optional<std::uint32_t> next;
    if (open == '[') {
      const auto index = array_index(raw);
      if (index && *index < n.child_count) next = children_[n.first_child + *index];
    } else if (open == '{') {
      next = member(node, unescape_token(raw));
    }
    if (!next) return std::nullopt;
    node = *next;
    if (slash == std::string_view::npos) return node;
    pos = slash + 1;
  }
}

std::optional<std::uint32_t> JsonIndex::member(std::uint32_t node, const std::string& key) const {
  const Node& n = nodes_[node];
  auto key_of = [&](std::uint32_t k) {
    std::string decoded;
    read_string(text_, nodes_[children_[n.first_child + k]].key, &decoded);
    return decoded;
  };
  if (n.child_count <= kScanMembers) {
    std::optional<std::uint32_t> found;
    for (std::uint32_t k = 0; k < n.child_count; ++k)
      if (key_of(k) == key) found = children_[n.first_child + k];  // keep the last
    return found;
  }
  auto [it, built] = member_maps_.try_emplace(node);
  if (built) {
    it->second.reserve(n.child_count);
    for (std::uint32_t k = 0; k < n.child_count; ++k)
      it->second.insert_or_assign(key_of(k), children_[n.first_child + k]);  // the last wins
  }
  const auto m = it->second.find(key);
  if (m == it->second.end()) return std::nullopt;
  return m->second;
}

std::optional<std::size_t> JsonIndex::value_offset(std::string_view pointer) const {
  const auto node = find(pointer);
  if (!node) return std::nullopt;
  return nodes_[*node].start;
}

std::optional<std::size_t> JsonIndex::key_offset(std::string_view pointer) const {
  const auto node = find(pointer);
  if (!node || nodes_[*node].key == kNone) return std::nullopt;
  return nodes_[*node].key;
}

std::string_view JsonIndex::value_text(std::string_view pointer) const {
  const auto node = find(pointer);
  if (!node) return {};
  const Node& n = nodes_[*node];
  return text_.substr(n.start, n.end - n.start);
}

std::vector<JsonIndex::Member> JsonIndex::members(std::string_view pointer) const {
  std::vector<Member> out;
  const auto node = find(pointer);
  if (!node || text_[nodes_[*node].start] != '{') return out;
  const Node& n = nodes_[*node];
  out.reserve(n.child_count);
  for (std::uint32_t k = 0; k < n.child_count; ++k) {
    const Node& child = nodes_[children_[n.first_child + k]];
    Member m;
    m.key_offset = child.key;
    read_string(text_, child.key, &m.key);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace tcpsim::scenario
