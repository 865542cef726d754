#include "models/net/wire/segment.hpp"

#include <array>
#include <cctype>
#include <charconv>

namespace tcpsim::net {
namespace {
struct FlagName {
  const char* name;
  bool Flags::*member;
  std::uint8_t bit;
};
// Display order, as Wireshark and RFC 9293's figures write them: "SYN,ACK", "FIN,PSH,ACK".
constexpr std::array<FlagName, 8> kFlagNames{{{"SYN", &Flags::syn, 0x02},
                                              {"FIN", &Flags::fin, 0x01},
                                              {"RST", &Flags::rst, 0x04},
                                              {"PSH", &Flags::psh, 0x08},
                                              {"ACK", &Flags::ack, 0x10},
                                              {"URG", &Flags::urg, 0x20},
                                              {"ECE", &Flags::ece, 0x40},
                                              {"CWR", &Flags::cwr, 0x80}}};
}  // namespace

std::uint8_t Flags::bits() const {
  std::uint8_t b = 0;
  for (const auto& f : kFlagNames)
    if (this->*f.member) b |= f.bit;
  return b;
}

Flags Flags::from_bits(std::uint8_t b) {
  Flags f;
  for (const auto& n : kFlagNames) f.*n.member = (b & n.bit) != 0;
  return f;
}

std::string Flags::to_string() const {
  std::string out;
  for (const auto& f : kFlagNames)
    if (this->*f.member) {
      if (!out.empty()) out += ',';
      out += f.name;
    }
  return out.empty() ? "none" : out;
}

std::optional<Flags> Flags::parse(std::string_view text, std::string* bad) {
  Flags f;
  std::size_t i = 0;
  while (i <= text.size()) {
    std::size_t j = i;
    while (j < text.size() && text[j] != ',' && text[j] != '+' && text[j] != '|') ++j;
    std::string word;
    for (char c : text.substr(i, j - i))
      if (c != ' ') word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!word.empty() && word != "NONE") {
      bool found = false;
      for (const auto& n : kFlagNames)
        if (word == n.name) {
          f.*n.member = true;
          found = true;
        }
      if (!found) {
        if (bad != nullptr) *bad = std::string(text.substr(i, j - i));
        return std::nullopt;
      }
    }
    i = j + 1;
  }
  return f;
}

std::uint32_t Options::wire_length() const {
  std::uint32_t n = 0;
  if (mss) n += 4;
  if (wscale) n += 3;
  if (sack_permitted) n += 2;
  if (timestamps) n += 10;
  return (n + 3) / 4 * 4;
}

const std::vector<std::uint8_t>& Payload::bytes() const {
  static const std::vector<std::uint8_t> kEmpty;
  return bytes_ ? *bytes_ : kEmpty;
}

bool Payload::operator==(const Payload& o) const {
  if (bytes_ == o.bytes_) return true;
  if (!bytes_ || !o.bytes_) return false;
  return *bytes_ == *o.bytes_;
}

std::string Ipv4::to_string() const {
  return std::to_string(value >> 24) + "." + std::to_string((value >> 16) & 255) + "." +
         std::to_string((value >> 8) & 255) + "." + std::to_string(value & 255);
}

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
  std::uint32_t v = 0;
  std::size_t pos = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (pos >= text.size() || text[pos] != '.') return std::nullopt;
      ++pos;
    }
    std::size_t end = pos;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    const std::size_t len = end - pos;
    if (len == 0 || len > 3 || (len > 1 && text[pos] == '0')) return std::nullopt;
    unsigned part = 0;
    std::from_chars(text.data() + pos, text.data() + end, part);
    if (part > 255) return std::nullopt;
    v = (v << 8) | part;
    pos = end;
  }
  if (pos != text.size()) return std::nullopt;
  return Ipv4{v};
}

std::string Segment::to_string() const {
  std::string s = source().to_string() + " > " + destination().to_string() + " [" + flags.to_string() + "]";
  s += " seq " + seq.to_string();
  if (flags.ack) s += " ack " + ack.to_string();
  s += " win " + std::to_string(window);
  if (options.mss || options.wscale || options.sack_permitted || options.timestamps) {
    std::string o;
    auto add = [&o](const std::string& x) { o += (o.empty() ? "" : ",") + x; };
    if (options.mss) add("mss " + std::to_string(*options.mss));
    if (options.wscale) add("wscale " + std::to_string(*options.wscale));
    if (options.sack_permitted) add("sackOK");
    if (options.timestamps)
      add("TS val " + std::to_string(options.timestamps->val) + " ecr " + std::to_string(options.timestamps->ecr));
    s += " <" + o + ">";
  }
  if (flags.urg) s += " urp " + std::to_string(urgent);
  s += " len " + std::to_string(payload_len);
  if (corrupted) s += " (bad checksum)";
  return s;
}

std::optional<Endpoint> Endpoint::parse(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto ip = Ipv4::parse(text.substr(0, colon));
  const std::string_view port = text.substr(colon + 1);
  if (!ip || port.empty() || port.size() > 5 || (port.size() > 1 && port[0] == '0')) return std::nullopt;
  std::uint32_t p = 0;
  for (const char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    p = p * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (p > 65535) return std::nullopt;
  return Endpoint{*ip, static_cast<std::uint16_t>(p)};
}

std::optional<ConnId> ConnId::parse(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto local = Endpoint::parse(text.substr(0, dash));
  const auto remote = Endpoint::parse(text.substr(dash + 1));
  if (!local || !remote) return std::nullopt;
  return ConnId{*local, *remote};
}

}  // namespace tcpsim::net
