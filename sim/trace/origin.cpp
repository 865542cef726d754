#include "sim/trace/origin.hpp"

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

}  // namespace tcpsim::trace
