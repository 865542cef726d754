#include "sim/scenario/fingerprint.hpp"

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <variant>

#include <nlohmann/json.hpp>

#include "sim/kernel/random.hpp"
#include "sim/scenario/json_locate.hpp"
#include "sim/scenario/loader.hpp"

namespace tcpsim::scenario {

namespace {

std::string segment_line(const net::Segment& s) {
  std::string l = s.source().to_string() + ">" + s.destination().to_string() + " " + s.flags.to_string() +
                  " seq=" + s.seq.to_string();
  if (s.flags.ack) l += " ack=" + s.ack.to_string();
  l += " win=" + std::to_string(s.window);
  if (s.payload_len) l += " len=" + std::to_string(s.payload_len);
  return l;
}

}  // namespace

std::vector<std::string> canonical_trace(const trace::Trace& t) {
  std::vector<std::string> out;
  for (const trace::Record& r : t.records()) {
    const std::string time = std::to_string(r.time.ns());
    std::visit(
        [&](const auto& b) {
          using B = std::decay_t<decltype(b)>;
          if constexpr (std::is_same_v<B, trace::SegmentSent>) {
            out.push_back(time + " send #" + std::to_string(b.id) + " " + t.node_name(b.node) + " " +
                          segment_line(b.seg) + (b.injected ? " injected" : ""));
          } else if constexpr (std::is_same_v<B, trace::SegmentDelivered>) {
            out.push_back(time + " deliver #" + std::to_string(b.id) + " " + t.node_name(b.node));
          } else if constexpr (std::is_same_v<B, trace::SegmentDropped>) {
            out.push_back(time + " drop #" + std::to_string(b.id) + " " + t.node_name(b.node) + " " +
                          trace::to_string(b.reason) + (b.rule != trace::kNoRule ? " " + std::to_string(b.rule) : ""));
          } else if constexpr (std::is_same_v<B, trace::SegmentDuplicated>) {
            out.push_back(time + " duplicate #" + std::to_string(b.id) + " as #" + std::to_string(b.copy));
          } else if constexpr (std::is_same_v<B, trace::StateChanged>) {
            out.push_back(time + " state " + t.node_name(b.node) + " " + b.conn.to_string() + " " + std::string(b.from) +
                          ">" + std::string(b.to));
          }
        },
        r.body);
  }
  return out;
}

std::string fingerprint_of(const std::vector<std::string>& canonical) {
  std::string all;
  for (const auto& l : canonical) all += l + "\n";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(sim::stable_hash(all)));
  return std::string("fnv1a64:") + buf;
}

std::filesystem::path golden_path(const std::filesystem::path& scenario_file) {
  std::filesystem::path p = scenario_file;
  return p.replace_extension(".trace");
}

FingerprintCheck compare_fingerprint(const std::string& expected, const std::vector<std::string>& canonical,
                                     const std::filesystem::path& golden) {
  FingerprintCheck c;
  const std::string got = fingerprint_of(canonical);
  if (got == expected) return c;
  c.matches = false;
  c.message = "fingerprint " + got + " differs from the recorded " + expected;
  std::ifstream in(golden);
  if (!in) {
    c.message += " (no " + golden.filename().string() + " to compare with; the run's canonical trace has " +
                 std::to_string(canonical.size()) + " lines)";
    return c;
  }
  std::vector<std::string> old;
  for (std::string line; std::getline(in, line);) old.push_back(line);
  for (std::size_t i = 0; i < std::max(old.size(), canonical.size()); ++i) {
    const std::string* a = i < old.size() ? &old[i] : nullptr;
    const std::string* b = i < canonical.size() ? &canonical[i] : nullptr;
    if (a && b && *a == *b) continue;
    c.line = i + 1;
    c.message += "; first difference at line " + std::to_string(i + 1) + " of " + golden.filename().string() +
                 ": expected \"" + (a ? *a : "(end of trace)") + "\", found \"" + (b ? *b : "(end of trace)") + "\"";
    return c;
  }
  c.message += " (" + golden.filename().string() + " matches the run: it was written by another fingerprint)";
  return c;
}

namespace {

bool write_all(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

// `text` with the top-level "fingerprint" set to `fp`, or an error. Only the top-level member is
// touched: its value's span comes from the JSON index, so a host named "fingerprint" or the word
// in a description stays as it is.
std::optional<std::string> with_fingerprint(const std::string& text, const std::string& fp, std::string& error) {
  const JsonIndex index(text);
  const std::string value = nlohmann::json(fp).dump();
  std::string out = text;
  if (const auto at = index.value_offset("/fingerprint")) {
    out.replace(*at, index.value_text("/fingerprint").size(), value);
    return out;
  }
  const auto root = index.value_offset("");
  const std::string_view whole = index.value_text("");
  if (!root || whole.size() < 2 || whole.front() != '{' || whole.back() != '}') {
    error = "the top level is not a JSON object";
    return std::nullopt;
  }
  const std::size_t close = *root + whole.size() - 1;
  std::size_t end = close;  // insert after the last member, before the whitespace that ends it
  while (end > *root && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == '\t'))
    --end;
  const bool empty = text[end - 1] == '{';
  out.insert(end, std::string(empty ? "\n" : ",\n") + "  \"fingerprint\": " + value + (empty ? "\n" : ""));
  return out;
}

}  // namespace

bool write_fingerprint(const std::filesystem::path& file, const std::string& fp, std::string* error) {
  auto fail = [&](const std::string& why) {
    if (error) *error = why;
    return false;
  };
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail("cannot read " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  in.close();
  const std::string text = ss.str();
  // The index needs valid JSON, and a file that does not load has nothing to bless.
  const LoadResult before = load_string(text, file.string());
  if (!before.ok())
    return fail(file.string() + ": not rewritten, it does not load: " +
                (before.errors.empty() ? std::string("unknown error") : before.errors.front().to_string()));
  std::string why;
  const std::optional<std::string> updated = with_fingerprint(text, fp, why);
  if (!updated) return fail(file.string() + ": cannot place the fingerprint: " + why);
  if (!write_all(file, *updated)) return fail("cannot write " + file.string());

  // Read back what was written: it must load and carry exactly the new fingerprint.
  const LoadResult after = load_file(file);
  if (after.ok() && after.scenario->fingerprint == fp) return true;
  const std::string problem = !after.ok() && !after.errors.empty() ? after.errors.front().to_string()
                                                                   : "the fingerprint read back differs from " + fp;
  const bool restored = write_all(file, text);
  return fail(file.string() + ": the rewritten file does not load as expected (" + problem + "); " +
              (restored ? "the original text was put back" : "restoring the original text failed too"));
}

}  // namespace tcpsim::scenario
