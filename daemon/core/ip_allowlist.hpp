#pragma once
// Which remote addresses may call a webhook: CIDR ranges of IPv4 and IPv6. IPv4 is matched as
// IPv4-mapped IPv6 (::ffff:a.b.c.d), so "10.0.0.0/8" also matches a dual-stack listener's
// "::ffff:10.1.2.3", and an IPv4-mapped range matches plain IPv4 addresses.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowctl::daemon {

/// One range: a 128-bit address (IPv4 mapped) and how many leading bits must match.
struct IpRange {
    std::array<unsigned char, 16> address{};
    int prefix = 128;
};

/// "A.B.C.D[/0..32]" or "IPV6[/0..128]" (a bare address is a single host); nullopt when invalid.
/// Bits past the prefix are ignored ("10.1.2.3/8" is 10.0.0.0/8).
std::optional<IpRange> parse_ip_range(std::string_view text);

/// An IPv4, IPv6 or IPv4-mapped IPv6 address in 128-bit form; nullopt when not an address.
std::optional<std::array<unsigned char, 16>> parse_ip_address(std::string_view text);

class IpAllowList {
public:
    /// Throws std::invalid_argument naming the first entry that is not a range.
    explicit IpAllowList(const std::vector<std::string>& entries);

    /// True when the address is in one of the ranges; false for anything that is not an address.
    bool allows(std::string_view address) const;
    bool empty() const { return m_ranges.empty(); }

private:
    std::vector<IpRange> m_ranges;
};

}  // namespace flowctl::daemon
