#include "sim/trace/origin.hpp"

#include <charconv>

namespace tcpsim::trace {

std::string origin_text(const Trace& t) {
  if (t.meta().empty()) return "model";
  const std::string source = meta_value(t, "source"), kernel = meta_value(t, "kernel"), hz = meta_value(t, "hz");
  const bool linux_kernel = source == "kernel";
  std::string text = linux_kernel ? "Linux kernel" : source;
  if (!kernel.empty()) text += linux_kernel ? " " + kernel : (text.empty() ? "" : ", ") + ("kernel " + kernel);
  if (!hz.empty()) text += (text.empty() ? "" : ", ") + ("HZ " + hz);
  return text;
}

bool from_kernel(const Trace& t) { return meta_value(t, "source") == "kernel"; }

std::string meta_value(const Trace& t, std::string_view key) {
  for (const auto& [k, v] : t.meta())
    if (k == key) return v;
  return "";
}

namespace {

// The whole number `text` starts with; nullopt when it does not start with one.
template <typename T>
std::optional<T> leading_number(std::string_view text) {
  T v{};
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p == text.data()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<TickPhase> tick_phase(const Trace& t) {
  const auto hz = leading_number<int>(meta_value(t, "hz"));  // "250 (config)"
  const std::string jiffies = meta_value(t, "jiffies_at_start"), offset = meta_value(t, "tick_offset_ns");
  const auto j = leading_number<std::uint64_t>(jiffies);
  const auto o = leading_number<std::int64_t>(offset);
  if (!hz || *hz <= 0 || !j || !o || *o < 0 || *o >= 1'000'000'000 / *hz + 1) return std::nullopt;
  return TickPhase{*hz, *j, sim::Duration::ns(*o)};
}

std::optional<sim::Duration> relay_lateness(const Trace& t) {
  const std::string relay = meta_value(t, "relay");
  constexpr std::string_view kMedian = "late by median ";
  const auto at = relay.find(kMedian);
  if (at == std::string::npos || leading_number<std::uint64_t>(relay) == std::uint64_t{0}) return std::nullopt;
  const auto us = leading_number<std::int64_t>(std::string_view(relay).substr(at + kMedian.size()));
  if (!us || *us < 0 || relay.compare(at + kMedian.size() + std::to_string(*us).size(), 3, " us") != 0) return std::nullopt;
  return sim::Duration::us(*us);
}

}  // namespace tcpsim::trace
