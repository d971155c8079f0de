#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace flowctl::util {

/// A new execution id: 10 characters of millisecond time then 6 random ones, in lowercase
/// Crockford base32, so ids sort by start time and a short prefix is usually unique.
std::string new_execution_id(int64_t epoch_ms);

/// SHA-256 hex of data (content hashes of flow definitions).
std::string sha256_hex(std::string_view data);

}  // namespace flowctl::util
