#include "core/ip_allowlist.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace flowctl::daemon {

namespace {

constexpr int k_mapped_v4_bits = 96;  // ::ffff:0:0/96

bool prefix_matches(const std::array<unsigned char, 16>& a, const std::array<unsigned char, 16>& b, int prefix) {
    const int whole = prefix / 8;
    if (std::memcmp(a.data(), b.data(), static_cast<size_t>(whole)) != 0) return false;
    const int rest = prefix % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

struct Parsed {
    std::array<unsigned char, 16> address{};
    bool v4 = false;
};

std::optional<Parsed> parse_address(std::string_view text) {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    const std::string s(text);
    Parsed out;
    in_addr v4{};
    if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
        out.address[10] = out.address[11] = 0xff;
        std::memcpy(out.address.data() + 12, &v4, 4);
        out.v4 = true;
        return out;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
        std::memcpy(out.address.data(), &v6, 16);
        return out;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::array<unsigned char, 16>> parse_ip_address(std::string_view text) {
    auto parsed = parse_address(text);
    if (!parsed) return std::nullopt;
    return parsed->address;
}

std::optional<IpRange> parse_ip_range(std::string_view text) {
    const auto slash = text.find('/');
    auto parsed = parse_address(text.substr(0, slash));
    if (!parsed) return std::nullopt;
    const int max_prefix = parsed->v4 ? 32 : 128;
    int prefix = max_prefix;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (digits.empty() || digits.size() > 3 || ec != std::errc() || end != digits.data() + digits.size() ||
            prefix < 0 || prefix > max_prefix) {
            return std::nullopt;
        }
    }
    IpRange range;
    range.address = parsed->address;
    range.prefix = parsed->v4 ? k_mapped_v4_bits + prefix : prefix;
    return range;
}

IpAllowList::IpAllowList(const std::vector<std::string>& entries) {
    for (const auto& entry : entries) {
        auto range = parse_ip_range(entry);
        if (!range) throw std::invalid_argument("'" + entry + "' is not an IP address or CIDR range");
        m_ranges.push_back(*range);
    }
}

bool IpAllowList::allows(std::string_view address) const {
    // A link-local IPv6 peer may come with its zone ("fe80::1%eth0"): the range is about the address.
    const auto zone = address.find('%');
    const auto parsed = parse_ip_address(address.substr(0, zone));
    if (!parsed) return false;
    for (const auto& range : m_ranges)
        if (prefix_matches(*parsed, range.address, range.prefix)) return true;
    return false;
}

}  // namespace flowctl::daemon
