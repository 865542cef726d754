// Source positions for JSON text: where each value (and each object member's key) starts, so that
// the loader can report "file:line:col" for any JSON pointer. Independent of any JSON library.
//
// JsonIndex scans text that a strict JSON parser has already accepted. It keeps a compact tree of
// byte offsets (20 bytes per value, no strings), so even a 4 MiB file of tiny values stays small;
// keys are decoded from the text only when a pointer is looked up. The scan also finds duplicate
// object keys, which most JSON parsers accept silently (keeping the last value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tcpsim::scenario {

inline constexpr std::size_t kNoOffset = static_cast<std::size_t>(-1);

struct SourcePosition {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in characters (UTF-8 code points), a tab counts as one
};

// Line and column of a byte offset in `text` (an offset at or past the end gives the end of the
// text). A UTF-8 byte order mark at the start is not counted.
SourcePosition position_at(std::string_view text, std::size_t offset);

// Start of the token that contains byte `offset`, lexing `text` loosely (it need not be valid
// JSON): a string, a run of literal/number characters, or one punctuation character. Returns
// `offset` itself when it falls in whitespace or past the end.
std::size_t token_start(std::string_view text, std::size_t offset);

// RFC 6901 escaping of one reference token ("~" -> "~0", "/" -> "~1").
std::string pointer_escape(std::string_view key);

class JsonIndex {
 public:
  // `text` must be valid JSON (as accepted by a strict parser) and outlive the index. It must be
  // shorter than 4 GiB. On unexpected input the scan stops early; lookups then fail, never crash.
  explicit JsonIndex(std::string_view text);

  std::string_view text() const { return text_; }

  // position_at(text(), offset) in O(kStride) time: the line and column of every kStride-th byte
  // are computed in one pass on the first call, so that thousands of errors in a large file do
  // not each count the lines from the start.
  SourcePosition position(std::size_t offset) const;

  // Offset of the first character of the value at `pointer` ("" is the whole document); for an
  // object member that appears twice, the last occurrence (the one a parser keeps).
  std::optional<std::size_t> value_offset(std::string_view pointer) const;
  // Offset of the opening quote of the member's key; nullopt for array elements and the root.
  std::optional<std::size_t> key_offset(std::string_view pointer) const;
  // The value's text exactly as written (e.g. "1.50" for a number); empty if not found.
  std::string_view value_text(std::string_view pointer) const;

  struct Member {
    std::string key;  // decoded
    std::size_t key_offset = 0;
  };
  // The members of the object at `pointer` in file order, duplicates included.
  std::vector<Member> members(std::string_view pointer) const;

  struct Duplicate {
    std::string key;                   // decoded
    std::string pointer;               // of the later occurrence
    std::size_t key_offset = 0;        // its key
    std::size_t first_key_offset = 0;  // the key of the first occurrence
  };
  // The first kMaxDuplicates duplicates; duplicate_count() counts them all.
  const std::vector<Duplicate>& duplicates() const { return duplicates_; }
  std::size_t duplicate_count() const { return duplicate_count_; }
  static constexpr std::size_t kMaxDuplicates = 100;

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  struct Node {
    std::uint32_t start = 0;        // first character of the value
    std::uint32_t end = 0;          // one past its last character
    std::uint32_t key = kNone;      // opening quote of the member's key
    std::uint32_t first_child = 0;  // into children_
    std::uint32_t child_count = 0;
  };

  void scan();
  std::optional<std::uint32_t> find(std::string_view pointer) const;
  // The member `key` (decoded) of object `node`: the last one of that name, as a parser keeps.
  std::optional<std::uint32_t> member(std::uint32_t node, const std::string& key) const;

  std::string_view text_;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> children_;  // each container's children, contiguous, in file order
  std::vector<Duplicate> duplicates_;
  std::size_t duplicate_count_ = 0;
  // Objects with more than kScanMembers members get a key -> member map, built on their first
  // lookup, so that an error for each of N members costs O(N) in all rather than O(N^2). Small
  // objects are scanned. (The cache makes lookups unsafe to run concurrently on one index.)
  static constexpr std::uint32_t kScanMembers = 16;
  mutable std::unordered_map<std::uint32_t, std::unordered_map<std::string, std::uint32_t>> member_maps_;
  static constexpr std::size_t kStride = 4096;
  mutable std::vector<SourcePosition> checkpoints_;  // of offsets 0, kStride, 2 kStride, ...
};

}  // namespace tcpsim::scenario
