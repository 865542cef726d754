// Internals shared by the loader's source files (loader*.cpp). Not part of the public API: this
// header names nlohmann::json, which nothing past the loader may see.
//
// The pieces: Errors collects diagnostics and turns JSON pointers into line:column; Reader turns
// one JSON value into one typed value, or reports why it cannot; Object reads an object field by
// field and reports unknown and missing fields; NodeTable resolves node names and addresses.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/net/config.hpp"
#include "sim/scenario/json_locate.hpp"
#include "sim/scenario/loader.hpp"

namespace tcpsim::scenario::detail {

using Json = nlohmann::json;
using Names = std::vector<std::string_view>;

// Which position of a pointer an error refers to.
enum class At {
  Value,   // the value's first character
  Key,     // the member's key (unknown fields)
  Object,  // the pointer names a missing member: the enclosing object's '{'
};

// Keeps the kMaxErrors earliest errors in file order and counts the rest, so that a file with a
// million mistakes still costs bounded memory and time.
class Errors {
 public:
  Errors(std::string file, const JsonIndex* index) : file_(std::move(file)), index_(index) {}

  void add(const std::string& pointer, At at, std::string message);
  void add_at(std::size_t offset, std::string pointer, std::string message);
  void add_unlisted(std::size_t n) { total_ += n; }  // errors counted but not shown
  std::size_t count() const { return total_; }
  const JsonIndex* index() const { return index_; }

  // "line 12, column 5" of a pointer's value, for messages that refer to another place.
  std::string where(const std::string& pointer) const;
  std::string where_offset(std::size_t offset) const;

  std::vector<Diagnostic> finish() const;

 private:
  struct Pending {
    std::size_t offset;  // kNoOffset sorts first
    std::size_t seq;
    std::string pointer;
    std::string message;
  };
  std::string file_;
  const JsonIndex* index_;
  std::vector<Pending> kept_;
  std::size_t total_ = 0;
};

// Limits for a duration field.
struct DurationRule {
  bool positive = false;  // > 0 (otherwise >= 0)
  sim::Duration max;
  std::string_view max_text;  // how the limit is written in messages
};
inline constexpr DurationRule kLinkDuration{false, sim::Duration::s(3600), "1h"};
inline constexpr DurationRule kLinkDurationPositive{true, sim::Duration::s(3600), "1h"};
inline constexpr DurationRule kTimeOfRun{false, sim::Duration::s(30 * 86400), "720h (30 days)"};
inline constexpr DurationRule kTimeOfRunPositive{true, sim::Duration::s(30 * 86400), "720h (30 days)"};

// "did you mean "delay"?" when `word` is within edit distance 2 of a candidate or matches one
// ignoring case; "" otherwise.
std::string suggest(std::string_view word, const Names& candidates);
// "\"a\", \"b\" or \"c\"" (or with "and")
std::string quoted_list(const Names& names, std::string_view last_separator = " or ");
// "an array of 3 elements"
std::string elements(std::size_t n);
// A JSON string literal for `s`, shortened if long.
std::string quote(std::string_view s);

class Reader {
 public:
  explicit Reader(Errors& errors) : errors_(errors) {}
  Errors& errors() { return errors_; }
  void error(const std::string& pointer, std::string message) { errors_.add(pointer, At::Value, std::move(message)); }

  // How a value reads in a message: `number 10`, `string "10ms"`, `boolean true`, `an object`.
  std::string found(const Json& v, const std::string& pointer) const;
  // The number as written in the file ("1.50"), for range errors.
  std::string number_text(const Json& v, const std::string& pointer) const;

  std::optional<std::string> string(const Json& v, const std::string& pointer);
  std::optional<std::string> non_empty_string(const Json& v, const std::string& pointer);
  std::optional<sim::Duration> duration(const Json& v, const std::string& pointer, const DurationRule& rule);
  std::optional<std::uint64_t> integer(const Json& v, const std::string& pointer, std::uint64_t lo, std::uint64_t hi);
  std::optional<double> probability(const Json& v, const std::string& pointer);
  std::optional<bool> boolean(const Json& v, const std::string& pointer);
  std::optional<net::Ipv4> ip(const Json& v, const std::string& pointer);
  std::optional<net::Flags> flags(const Json& v, const std::string& pointer);
  std::optional<std::uint64_t> bandwidth(const Json& v, const std::string& pointer);
  // One of `choices` (e.g. a profile); `what` names the field in the message ("profile").
  std::optional<std::string> choice(const Json& v, const std::string& pointer, const Names& choices,
                                    std::string_view what);
  // An array, or an error naming what its elements should be.
  const Json* array(const Json& v, const std::string& pointer, std::string_view of_what);

 private:
  Errors& errors_;
};

// An object being read: checks the type, reports unknown members (at their keys) at once, and
// reads the known ones on request. A field that is absent reads as nullopt without an error.
class Object {
 public:
  Object(Reader& reader, const Json& value, std::string pointer, const Names& fields, std::string_view what);

  bool valid() const { return json_ != nullptr; }
  const std::string& pointer() const { return pointer_; }
  std::string ptr(std::string_view key) const { return pointer_ + "/" + pointer_escape(key); }
  Reader& reader() { return reader_; }

  const Json* get(std::string_view key) const;
  // Reports `missing required field "key" (what)` at the object's '{' when absent.
  const Json* require(std::string_view key, std::string_view what);

  std::optional<std::string> string(std::string_view key);
  std::optional<sim::Duration> duration(std::string_view key, const DurationRule& rule);
  std::optional<std::uint64_t> integer(std::string_view key, std::uint64_t lo, std::uint64_t hi);
  std::optional<double> probability(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<net::Ipv4> ip(std::string_view key);
  std::optional<net::Flags> flags(std::string_view key);

 private:
  Reader& reader_;
  const Json* json_ = nullptr;
  std::string pointer_;
};

// The scenario's nodes by name and by address, for links, fault matches and injections.
struct NodeTable {
  struct Entry {
    std::size_t index;    // into Scenario::nodes
    std::string pointer;  // where it is defined, e.g. "/hosts/0"
  };
  std::map<std::string, Entry, std::less<>> by_name;
  std::map<std::uint32_t, std::string> by_ip;  // address -> node name
  Names names;                                 // in file order, for suggestions
  const std::vector<net::NodeConfig>* nodes = nullptr;

  const net::NodeConfig* find(std::string_view name) const;
  // Host groups (name prefix, member count): "c17" is a member of ("c", 100).
  std::vector<std::pair<std::string, std::uint32_t>> groups;
  bool is_group_member(std::string_view name) const;
  // A node name or a dotted-quad literal -> an address; errors for unknown names (with a
  // suggestion), malformed literals and routers without an address.
  std::optional<net::Ipv4> resolve_address(Reader& r, const Json& v, const std::string& pointer) const;
  // A node name that must exist.
  std::optional<std::string> node_name(Reader& r, const Json& v, const std::string& pointer) const;
  // suggest(name, names) while the budget lasts: each suggestion compares with every name, so a
  // file of thousands of nodes and thousands of unknown names would take minutes. After
  // kSuggestionBudget comparisons, unknown names get no "did you mean".
  std::string suggest_node(std::string_view name) const;
  static constexpr std::size_t kSuggestionBudget = 2'000'000;
  mutable std::size_t suggestions_spent = 0;
};

// A node name (hosts, routers, group name prefixes): [A-Za-z][A-Za-z0-9_-]*, at most 64
// characters; an error says which character or the length is wrong.
std::optional<std::string> node_identifier(Reader& r, const Json& v, const std::string& pointer);

// Why a dotted-quad-looking string is not a valid address ("octet 256 is greater than 255").
std::string ip_problem(std::string_view text);

// Strict JSON parsing (no comments, no trailing commas). On a syntax error, returns nullopt and
// describes it in `error`: where (the start of the offending token) and what, in plain words.
struct SyntaxError {
  std::size_t offset = 0;
  std::string message;
};
std::optional<Json> parse_json(std::string_view text, SyntaxError& error);

// The scenario-wide TCP parameters: the profile plus the top-level "tcp" overrides, and the
// names of the fields those overrides set (re-applied over a host's own profile).
struct TcpDefaults {
  Profile profile = Profile::Rfc9293;
  tcp::TcpParams params{};
  std::vector<std::string> set;
};

// Sections of the file, one function each (loader_network.cpp, loader_events.cpp,
// loader_tcp.cpp, loader_apps.cpp).
void read_tcp_defaults(Object& top, const Scenario& s, TcpDefaults& out);
// A host's "profile", "tcp" and "ephemeral_ports".
void read_host_tcp(Object& host, const TcpDefaults& defaults, HostTcp& out);
void read_nodes(Object& top, Scenario& out, NodeTable& table, const TcpDefaults& tcp);
void read_apps(Object& top, Scenario& out, const NodeTable& table);
// Link parameters (delay, jitter, bandwidth, queue, loss, ...) present in `o`, over `p`.
void read_link_params(Object& o, net::LinkParams& p);
// An app's "auto_accept", "auto_receive" and "steps" (loader_apps.cpp); false on an error.
bool read_script(Object& o, const NodeTable& table, app::Script& script);
// "groups" (loader_groups.cpp), after the nodes.
void read_groups(Object& top, Scenario& out, NodeTable& table, const TcpDefaults& tcp);
// "expect" and "fingerprint" (loader_expect.cpp).
void read_expect(Object& top, Scenario& out, const NodeTable& table);
// "questions" (loader_expect.cpp: their "before" names events as "timing" does).
void read_questions(Object& top, Scenario& out, const NodeTable& table);
void read_links(Object& top, Scenario& out, const NodeTable& table);
void read_faults(Object& top, Scenario& out, const NodeTable& table);
void read_injections(Object& top, Scenario& out, const NodeTable& table);
void read_notes(Object& top, Scenario& out);

}  // namespace tcpsim::scenario::detail
