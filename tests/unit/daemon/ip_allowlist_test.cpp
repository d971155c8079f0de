// IP allow-lists: CIDR ranges of both families, IPv4-mapped IPv6, and what is not an address.
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/ip_allowlist.hpp"

namespace flowctl::daemon::test {
namespace {

TEST(IpAllowList, Ipv4Ranges) {
    IpAllowList list({"10.0.0.0/8", "192.168.1.7", "172.16.0.0/12"});
    EXPECT_TRUE(list.allows("10.0.0.0"));
    EXPECT_TRUE(list.allows("10.255.255.255"));
    EXPECT_FALSE(list.allows("11.0.0.0"));
    EXPECT_FALSE(list.allows("9.255.255.255"));
    EXPECT_TRUE(list.allows("192.168.1.7"));  // a bare address is /32
    EXPECT_FALSE(list.allows("192.168.1.8"));
    EXPECT_TRUE(list.allows("172.31.255.255"));  // /12 ends mid-octet
    EXPECT_FALSE(list.allows("172.32.0.0"));
    EXPECT_FALSE(list.allows("172.15.255.255"));
}

TEST(IpAllowList, Ipv6Ranges) {
    IpAllowList list({"::1/128", "fd00::/8", "2001:db8:abcd::/47"});
    EXPECT_TRUE(list.allows("::1"));
    EXPECT_FALSE(list.allows("::2"));
    EXPECT_TRUE(list.allows("fd12:3456::1"));
    EXPECT_FALSE(list.allows("fe80::1"));
    EXPECT_TRUE(list.allows("2001:db8:abcd::1"));
    // /47 ends one bit before the end of the third group: abcc and abcd are in, abce and abcf out.
    EXPECT_TRUE(list.allows("2001:db8:abcc::1"));
    EXPECT_FALSE(list.allows("2001:db8:abce::1"));
    EXPECT_FALSE(list.allows("2001:db8:abcf::1"));
    EXPECT_TRUE(list.allows("2001:db8:abcd:ffff:ffff:ffff:ffff:ffff"));
    EXPECT_FALSE(list.allows("10.0.0.1"));  // IPv4 is not in an IPv6-only list
}

TEST(IpAllowList, Ipv4MatchesItsMappedIpv6FormAndBack) {
    IpAllowList v4({"127.0.0.1/32", "10.0.0.0/8"});
    EXPECT_TRUE(v4.allows("::ffff:127.0.0.1"));  // a dual-stack listener's view of an IPv4 peer
    EXPECT_TRUE(v4.allows("::ffff:10.9.8.7"));
    EXPECT_TRUE(v4.allows("::FFFF:0a00:0001"));
    EXPECT_FALSE(v4.allows("::ffff:11.0.0.1"));
    EXPECT_FALSE(v4.allows("::1"));          // loopback of the other family is another address
    EXPECT_FALSE(v4.allows("::127.0.0.1"));  // IPv4-compatible (deprecated) is not mapped

    IpAllowList mapped({"::ffff:10.0.0.0/104"});
    EXPECT_TRUE(mapped.allows("10.1.2.3"));
    EXPECT_FALSE(mapped.allows("11.1.2.3"));
}

TEST(IpAllowList, ZeroPrefixesAllowAFamily) {
    IpAllowList v4({"0.0.0.0/0"});
    EXPECT_TRUE(v4.allows("1.2.3.4"));
    EXPECT_TRUE(v4.allows("::ffff:1.2.3.4"));
    EXPECT_FALSE(v4.allows("::1"));
    IpAllowList all({"::/0"});
    EXPECT_TRUE(all.allows("::1"));
    EXPECT_TRUE(all.allows("1.2.3.4"));
}

TEST(IpAllowList, HostBitsPastThePrefixAreIgnored) {
    IpAllowList list({"10.1.2.3/8", "2001:db8::1/32"});
    EXPECT_TRUE(list.allows("10.200.0.1"));
    EXPECT_TRUE(list.allows("2001:db8:ffff::"));
}

TEST(IpAllowList, AZoneIsNotPartOfTheAddress) {
    IpAllowList list({"fe80::/10"});
    EXPECT_TRUE(list.allows("fe80::1%eth0"));
}

TEST(IpAllowList, WhatIsNotAnAddressIsNeverAllowed) {
    IpAllowList list({"0.0.0.0/0", "::/0"});
    for (const char* bad : {"", "localhost", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.4/32", ":::1", " 1.2.3.4"})
        EXPECT_FALSE(list.allows(bad)) << bad;
}

TEST(IpAllowList, BadRangesAreRejectedByName) {
    for (const char* bad : {"10.0.0.0/33", "::1/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0.0/ 8",
                            "example.com", "10.0.0.0/0008"}) {
        EXPECT_EQ(parse_ip_range(bad), std::nullopt) << bad;
        try {
            IpAllowList list({"127.0.0.1", bad});
            ADD_FAILURE() << bad << " was accepted";
        } catch (const std::invalid_argument& e) {
            EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
        }
    }
    ASSERT_TRUE(parse_ip_range("10.0.0.0/8"));
    EXPECT_EQ(parse_ip_range("10.0.0.0/8")->prefix, 96 + 8);
    EXPECT_EQ(parse_ip_range("::1")->prefix, 128);
}

TEST(IpAllowList, AnEmptyListAllowsNothing) {
    // Hooks without allowed_ips skip the check; the list itself is strict.
    IpAllowList list({});
    EXPECT_TRUE(list.empty());
    EXPECT_FALSE(list.allows("127.0.0.1"));
}

}  // namespace
}  // namespace flowctl::daemon::test
