#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flowctl::util {

/// Levenshtein distance, capped: returns max_distance + 1 once exceeded.
size_t edit_distance(std::string_view a, std::string_view b, size_t max_distance = 64);

/// The closest candidate within a small edit distance (as ninja's SpellcheckString), if any.
std::optional<std::string> did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace flowctl::util
