#include "api/token_secret.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <stdexcept>

namespace flowctl::daemon {

namespace {

template <size_t N>
std::array<uint8_t, N> random_bytes() {
    std::array<uint8_t, N> out{};
    size_t filled = 0;
    while (filled < N) {
        const ssize_t n = getrandom(out.data() + filled, N - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("getrandom failed");
        }
        filled += static_cast<size_t>(n);
    }
    return out;
}

std::string base64url(const uint8_t* data, size_t size) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    uint32_t bits = 0;
    int count = 0;
    for (size_t i = 0; i < size; ++i) {
        bits = (bits << 8) | data[i];
        count += 8;
        while (count >= 6) {
            count -= 6;
            out += alphabet[(bits >> count) & 63];
        }
    }
    if (count > 0) out += alphabet[(bits << (6 - count)) & 63];
    return out;
}

}  // namespace

std::string new_token_secret() {
    const auto bytes = random_bytes<32>();
    return "flw_" + base64url(bytes.data(), bytes.size());
}

std::string new_token_id() {
    static constexpr char hex[] = "0123456789abcdef";
    const auto bytes = random_bytes<6>();
    std::string out = "tok_";
    for (uint8_t b : bytes) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

}  // namespace flowctl::daemon
