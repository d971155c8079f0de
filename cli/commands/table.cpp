#include "commands/commands.hpp"

namespace flowctl::cli {

const std::vector<CommandRow>& command_table() {
    static const std::vector<CommandRow> rows = {
        {"run", add_run},
        {"list", add_list},
        {"get", add_get},
        {"apply", add_apply},
        {"delete", add_delete},
        {"enable", add_enable},
        {"disable", add_disable},
        {"cancel", add_cancel},
        {"retry", add_retry},
        {"validate", add_validate},
        {"history", add_history},
        {"show", add_show},
        {"logs", add_logs},
        {"actions", add_actions},
        {"token", add_token},
        {"daemon", add_daemon},
        {"gc", add_gc},
        {"version", add_version},
        {"cron", add_cron},
        {"triggers", add_triggers},
        {"schedule", add_schedule},
        {"webhooks", add_webhooks},
    };
    return rows;
}

}  // namespace flowctl::cli
