#pragma once
#include <cstdio>
#include <string>
#include <string_view>

namespace flowctl::cli {

/// Color only on a terminal, never with NO_COLOR set (https://no-color.org), --no-color,
/// or TERM=dumb.
bool use_color(std::FILE* stream, bool no_color_flag);
bool is_tty(std::FILE* stream);
int terminal_width(std::FILE* stream);  // 80 when unknown

/// Wraps text in the ANSI color for a status (succeeded green, failed red, ...).
std::string color_status(std::string_view status, bool color);
/// Wraps any text in the color of a status.
std::string color_as(std::string_view text, std::string_view status, bool color);
std::string dim(std::string_view text, bool color);
std::string bold(std::string_view text, bool color);

}  // namespace flowctl::cli
