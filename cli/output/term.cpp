#include "output/term.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace flowctl::cli {

bool is_tty(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

bool use_color(std::FILE* stream, bool no_color_flag) {
    if (no_color_flag) return false;
    const char* nc = std::getenv("NO_COLOR");
    if (nc && *nc) return false;
    const char* term = std::getenv("TERM");
    if (term && std::strcmp(term, "dumb") == 0) return false;
    return is_tty(stream);
}

int terminal_width(std::FILE* stream) {
    winsize ws{};
    if (::ioctl(::fileno(stream), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

namespace {
std::string wrap(std::string_view text, const char* code, bool color) {
    if (!color) return std::string(text);
    return std::string("\033[") + code + "m" + std::string(text) + "\033[0m";
}
}  // namespace

std::string color_status(std::string_view status, bool color) { return color_as(status, status, color); }

std::string color_as(std::string_view text, std::string_view status, bool color) {
    const char* code = "0";
    if (status == "succeeded")
        code = "32";
    else if (status == "failed" || status == "timed_out")
        code = "31";
    else if (status == "running")
        code = "36";
    else if (status == "pending")
        code = "2";
    else if (status == "cancelled" || status == "interrupted")
        code = "35";
    else if (status == "skipped")
        code = "2";
    return wrap(text, code, color);
}

std::string dim(std::string_view text, bool color) { return wrap(text, "2", color); }
std::string bold(std::string_view text, bool color) { return wrap(text, "1", color); }

}  // namespace flowctl::cli
