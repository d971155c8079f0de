#include "commands/commands.hpp"

namespace flowctl::cli {

const std::vector<CommandRow>& command_table() {
    static const std::vector<CommandRow> rows = {
        {"run", add_run},   {"validate", add_validate}, {"history", add_history}, {"show", add_show},
        {"logs", add_logs}, {"actions", add_actions},   {"version", add_version},
    };
    return rows;
}

}  // namespace flowctl::cli
