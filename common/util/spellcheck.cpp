#include "util/spellcheck.hpp"

#include <algorithm>
#include <cctype>

namespace flowctl::util {

size_t edit_distance(std::string_view a, std::string_view b, size_t max_distance) {
    if (a.size() > b.size() + max_distance || b.size() > a.size() + max_distance) return max_distance + 1;
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t prev = row[0];
        row[0] = i;
        size_t best = row[0];
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t cost =
                std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]))
                    ? 0
                    : 1;
            size_t next = std::min({row[j] + 1, row[j - 1] + 1, prev + cost});
            prev = row[j];
            row[j] = next;
            best = std::min(best, next);
        }
        if (best > max_distance) return max_distance + 1;
    }
    return row[b.size()];
}

std::optional<std::string> did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    // Allow about one edit per three characters, at least one, at most three.
    size_t limit = std::clamp<size_t>(word.size() / 3, 1, 3);
    std::optional<std::string> best;
    size_t best_distance = limit + 1;
    for (const auto& c : candidates) {
        size_t d = edit_distance(word, c, limit);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return best;
}

}  // namespace flowctl::util
