#include <cstdio>

#include "commands/commands.hpp"

namespace flowctl::cli {

CommandMain add_version(Args app, Context&) {
    app.subcommand("version", "Print the version");
    return []() -> int {
        std::printf("flowctl %s\n", FLOWCTL_VERSION);
        return 0;
    };
}

}  // namespace flowctl::cli
