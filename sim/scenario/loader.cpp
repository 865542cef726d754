// The loader's entry points: file checks, parsing, and the top-level fields. The sections of the
// file are read in loader_network.cpp (hosts, routers, links) and loader_events.cpp (faults,
// injections, notes); the value readers are in loader_values.cpp.

#include "sim/scenario/loader.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <system_error>

#include "sim/kernel/printable.hpp"
#include "sim/scenario/loader_detail.hpp"

namespace tcpsim::scenario {

std::string Diagnostic::to_string() const {
  if (file.empty() && line == 0 && pointer.empty()) return message;
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line) + ":" + std::to_string(column);
  s += ": error: ";
  if (!pointer.empty()) s += pointer + ": ";
  return s + message;
}

namespace {

using detail::Json;
using detail::Names;

LoadResult file_error(std::string file, const std::string& message) {
  LoadResult r;
  r.errors.push_back({std::move(file), 0, 0, "", sim::printable(message)});
  return r;
}

std::string size_text(std::uintmax_t bytes) {
  const std::uintmax_t tenths = bytes * 10 / (1024 * 1024);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MiB (" + std::to_string(bytes) + " bytes)";
}

std::string too_large(std::uintmax_t bytes) {
  return "the file is " + size_text(bytes) + "; a scenario file may be at most 4 MiB (" +
         std::to_string(kMaxScenarioBytes) + " bytes)";
}

bool is_name_char(char c, bool first) {
  const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return alnum || (!first && (c == '.' || c == '_' || c == '-'));
}

// The scenario name becomes a file name and a CTest name: [A-Za-z0-9][A-Za-z0-9._-]*.
void read_name(detail::Object& top, Scenario& s) {
  detail::Reader& r = top.reader();
  const Json* v = top.require("name", "the scenario's name, e.g. \"lost-final-ack\"");
  if (v == nullptr) return;
  const std::string pointer = top.ptr("name");
  const auto name = r.non_empty_string(*v, pointer);
  if (!name) return;
  constexpr std::size_t kMaxLength = 100;
  const std::string rule =
      "expected a name of letters, digits, '.', '_' and '-' that starts with a letter or digit "
      "(it becomes a file name), found " + detail::quote(*name);
  for (std::size_t i = 0; i < name->size(); ++i)
    if (!is_name_char((*name)[i], i == 0)) {
      const std::string c = (*name)[i] == ' ' ? "a space" : "'" + std::string(1, (*name)[i]) + "'";
      r.error(pointer, rule + ": " + c + " at position " + std::to_string(i + 1) + " is not allowed");
      return;
    }
  if (name->size() > kMaxLength) {
    r.error(pointer, "expected a name of at most " + std::to_string(kMaxLength) + " characters, found one of " +
                         std::to_string(name->size()));
    return;
  }
  s.name = *name;
}

// "limits": {"time": "1000h", "events": 100000000, "records": 5000000}, each optional.
void read_limits(detail::Object& top, Scenario& s) {
  const Json* v = top.get("limits");
  if (v == nullptr) return;
  static const Names kFields{"time", "events", "records"};
  detail::Object o(top.reader(), *v, top.ptr("limits"), kFields,
                   "an object of bounds on the run like {\"time\": \"1000h\", \"events\": 100000000, \"records\": 5000000}");
  if (!o.valid()) return;
  static constexpr detail::DurationRule kTimeBound{true, kMaxTimeBound, kMaxTimeBoundText};
  s.limits.time = o.duration("time", kTimeBound);
  s.limits.events = o.integer("events", 1, kMaxEventBound);
  s.limits.records = o.integer("records", 1, kMaxRecordBound);
}

Scenario read_scenario(detail::Reader& r, const Json& root) {
  static const Names kFields{"name",   "description", "seed",   "profile", "tcp",   "until",
                             "limits", "hosts",       "routers", "links",  "faults", "inject",
                             "apps",   "groups",      "notes",  "expect", "fingerprint", "questions"};
  Scenario s;
  detail::Object top(r, root, "", kFields, "a JSON object at the top level");
  if (!top.valid()) return s;
  read_name(top, s);
  if (auto d = top.string("description")) s.description = *d;
  if (auto seed = top.integer("seed", 0, std::numeric_limits<std::uint64_t>::max())) s.seed = *seed;
  if (const Json* v = top.get("profile")) {
    if (auto p = r.choice(*v, top.ptr("profile"), {"rfc9293", "linux"}, "profile"))
      s.profile = *p == "linux" ? Profile::Linux : Profile::Rfc9293;
  }
  if (auto until = top.duration("until", detail::kTimeOfRunPositive)) s.until = *until;
  read_limits(top, s);

  detail::TcpDefaults tcp;
  detail::read_tcp_defaults(top, s, tcp);
  detail::NodeTable table;
  detail::read_nodes(top, s, table, tcp);
  detail::read_links(top, s, table);
  detail::read_groups(top, s, table, tcp);
  detail::read_faults(top, s, table);
  detail::read_injections(top, s, table);
  detail::read_apps(top, s, table);
  detail::read_expect(top, s, table);
  detail::read_notes(top, s);
  detail::read_questions(top, s, table);
  return s;
}

}  // namespace

LoadResult load_string(std::string_view json_text, std::string display_name) {
  if (display_name.empty()) display_name = "<string>";
  if (json_text.size() > kMaxScenarioBytes) return file_error(display_name, too_large(json_text.size()));
  if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return file_error(display_name, json_text.empty() ? "the file is empty; expected a JSON object"
                                                      : "the file is empty (only whitespace); expected a JSON object");

  detail::SyntaxError syntax;
  const std::optional<Json> root = detail::parse_json(json_text, syntax);
  if (!root) {
    const SourcePosition pos = position_at(json_text, syntax.offset);
    LoadResult r;
    // The message quotes the offending bytes, which may be anything (a binary file).
    r.errors.push_back({display_name, pos.line, pos.column, "", "invalid JSON: " + sim::printable(syntax.message)});
    return r;
  }

  const JsonIndex index(json_text);
  detail::Errors errors(display_name, &index);
  for (const JsonIndex::Duplicate& d : index.duplicates())
    errors.add_at(d.key_offset, d.pointer,
                  "duplicate field " + detail::quote(d.key) + "; it is already defined at " +
                      errors.where_offset(d.first_key_offset) + " (only one definition is allowed)");
  errors.add_unlisted(index.duplicate_count() - index.duplicates().size());

  detail::Reader reader(errors);
  Scenario scenario = read_scenario(reader, *root);
  scenario.source = display_name;

  LoadResult result;
  result.errors = errors.finish();
  for (Diagnostic& d : result.errors) d.message = sim::printable(d.message);  // they quote the file's text
  if (result.errors.empty()) result.scenario = std::move(scenario);
  return result;
}

LoadResult load_file(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  const std::string name = path.string();
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) {
    const std::string why = ec && ec != std::errc::no_such_file_or_directory ? ec.message()
                                                                              : std::strerror(ENOENT);
    return file_error(name, "cannot open " + name + ": " + why);
  }
  if (fs::is_directory(status)) return file_error(name, name + " is a directory; expected a scenario .json file");
  if (!fs::is_regular_file(status))
    return file_error(name, name + " is not a regular file; expected a scenario .json file");

  // Check the size before reading anything, so that memory stays bounded whatever the file is.
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return file_error(name, "cannot read " + name + ": " + ec.message());
  if (size > kMaxScenarioBytes) return file_error(name, too_large(size));

  std::ifstream in(path, std::ios::binary);
  if (!in) return file_error(name, "cannot open " + name + ": " + std::strerror(errno));
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (in.bad()) return file_error(name, "cannot read " + name + ": " + std::strerror(errno));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return load_string(text, name);
}

}  // namespace tcpsim::scenario
