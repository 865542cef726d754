#include "sim/cli/profiles.hpp"

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "models/tcp/param_fields.hpp"

namespace tcpsim::cli {
namespace {

using tcp::TcpParams;

struct Row {
  std::string name, rfc9293, linux, help;
};

std::vector<Row> rows() {
  std::vector<Row> out;
  const TcpParams rfc = TcpParams::rfc9293();
  const TcpParams lin = TcpParams::linux_profile();
  tcp::visit_params(rfc, [&](std::string_view name, const auto& v, std::string_view help) {
    out.push_back({std::string(name), tcp::ParamText{}(v), "", std::string(help)});
  });
  std::size_t i = 0;
  tcp::visit_params(lin, [&](std::string_view, const auto& v, std::string_view) { out[i++].linux = tcp::ParamText{}(v); });
  return out;
}

}  // namespace

void print_profiles(std::ostream& out, bool markdown) {
  const std::vector<Row> table = rows();
  if (markdown) {
    out << "| parameter | rfc9293 | linux | meaning |\n|---|---|---|---|\n";
    for (const Row& r : table) {
      const std::string bar = r.rfc9293 == r.linux ? "" : "**";
      out << "| `" << r.name << "` | `" << r.rfc9293 << "` | " << bar << "`" << r.linux << "`" << bar << " | " << r.help
          << " |\n";
    }
    return;
  }
  std::size_t w0 = 9, w1 = 7, w2 = 5;
  for (const Row& r : table) {
    w0 = std::max(w0, r.name.size());
    w1 = std::max(w1, r.rfc9293.size());
    w2 = std::max(w2, r.linux.size());
  }
  auto pad = [](const std::string& s, std::size_t w) { return s + std::string(w - s.size() + 2, ' '); };
  out << pad("parameter", w0) << pad("rfc9293", w1) << pad("linux", w2) << "meaning\n";
  for (const Row& r : table) out << pad(r.name, w0) << pad(r.rfc9293, w1) << pad(r.linux, w2) << r.help << "\n";
}

}  // namespace tcpsim::cli
