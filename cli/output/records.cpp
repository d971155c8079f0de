#include "output/records.hpp"

#include <cstdio>

namespace flowctl::cli {

void print_json(const json& value) {
    std::string text = value.dump(2, ' ', false, json::error_handler_t::replace);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
}

}  // namespace flowctl::cli
