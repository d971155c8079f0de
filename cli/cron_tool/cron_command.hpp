#pragma once
#include "commands/commands.hpp"

namespace flowctl::cli {

/// The real `flowctl cron` (see cron_command.cpp); flowctl's own `cron` row execs the helper.
CommandMain add_cron_preview(Args app, Context& ctx);

}  // namespace flowctl::cli
