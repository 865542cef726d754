#include "sim/scenario/fingerprint.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <variant>

#include "sim/kernel/random.hpp"

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

bool write_fingerprint(const std::filesystem::path& file, const std::string& fp, std::string* error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot read " + file.string();
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const std::string key = "\"fingerprint\"";
  if (const auto k = text.find(key); k != std::string::npos) {
    const auto q1 = text.find('"', text.find(':', k + key.size()) + 1);
    const auto q2 = q1 == std::string::npos ? q1 : text.find('"', q1 + 1);
    if (q1 == std::string::npos || q2 == std::string::npos) {
      if (error) *error = file.string() + ": cannot find the fingerprint's value";
      return false;
    }
    text.replace(q1 + 1, q2 - q1 - 1, fp);
  } else {
    const auto close = text.rfind('}');
    if (close == std::string::npos) {
      if (error) *error = file.string() + ": no closing brace";
      return false;
    }
    std::size_t end = close;
    while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == '\t'))
      --end;
    text.insert(end, ",\n  \"fingerprint\": \"" + fp + "\"");
  }
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    if (error) *error = "cannot write " + file.string();
    return false;
  }
  return true;
}

}  // namespace tcpsim::scenario
