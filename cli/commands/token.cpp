// flowctl token create|list|revoke: API tokens for reaching the daemon over TCP.
#include <cstdio>

#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "exit_codes.hpp"
#include "output/records.hpp"
#include "output/table.hpp"
#include "output/term.hpp"
#include "util/time.hpp"

namespace flowctl::cli {

namespace {
struct TokenArgs {
    std::string name, scope = "read", id;
};

int create(Context& ctx, const TokenArgs& a) {
    json r = ctx.call("POST", "/api/v1/tokens", {{"name", a.name}, {"scope", a.scope}});
    if (ctx.json_output()) {
        print_json(r);
    } else {
        std::printf("%s\n", str_field(r, "secret").c_str());
        if (!ctx.quiet)
            std::fprintf(stderr, "token %s (%s, scope %s) created; the secret above is not shown again\n",
                         str_field(r["token"], "name").c_str(), str_field(r["token"], "id").c_str(),
                         str_field(r["token"], "scope").c_str());
    }
    return exit_ok;
}

int list(Context& ctx) {
    json r = ctx.call("GET", "/api/v1/tokens");
    const json& tokens = r["tokens"];
    if (ctx.json_output()) {
        print_json(r);
        return exit_ok;
    }
    if (ctx.quiet) {
        for (const auto& t : tokens) std::printf("%s\n", str_field(t, "id").c_str());
        return exit_ok;
    }
    if (tokens.empty()) {
        std::fprintf(stderr, "no tokens (create one with flowctl token create NAME --scope read|execute|admin)\n");
        return exit_ok;
    }
    int64_t now = util::now_ms();
    Table table({"ID", "NAME", "SCOPE", "CREATED", "LAST USED"});
    for (const auto& t : tokens) {
        int64_t created = api_time_ms(t.value("created_at", json()));
        int64_t used = api_time_ms(t.value("last_used_at", json()));
        table.add_row({str_field(t, "id"), str_field(t, "name"), str_field(t, "scope"),
                       created ? util::format_local(created) : "-", used ? util::format_ago(used, now) : "never"});
    }
    table.print(stdout, use_color(stdout, ctx.no_color));
    return exit_ok;
}

int revoke(Context& ctx, const TokenArgs& a) {
    json r = ctx.call("DELETE", "/api/v1/tokens/" + url_part(a.id));
    if (ctx.json_output())
        print_json(r);
    else if (ctx.quiet)
        std::printf("%s\n", str_field(r, "revoked").c_str());
    else
        std::printf("token %s revoked\n", str_field(r, "revoked").c_str());
    return exit_ok;
}
}  // namespace

CommandMain add_token(Args app, Context& ctx) {
    auto a = std::make_shared<TokenArgs>();
    auto cmd = app.subcommand("token", "Manage API tokens (for flowctl --url and HTTP clients)");
    cmd.require_subcommand();
    auto c = cmd.subcommand("create", "Create a token and print its secret (shown only once)");
    c.option("name", a->name, "A name for the token").required();
    c.option("--scope", a->scope, "read, execute or admin (default read)").one_of({"read", "execute", "admin"});
    add_output_flags(c, ctx);
    auto l = cmd.subcommand("list", "List active tokens");
    add_output_flags(l, ctx);
    auto r = cmd.subcommand("revoke", "Revoke a token by id or name");
    r.option("token", a->id, "Token id or name").required();
    add_output_flags(r, ctx);

    return [a, c, l, &ctx]() -> int {
        if (c.parsed()) return create(ctx, *a);
        if (l.parsed()) return list(ctx);
        return revoke(ctx, *a);
    };
}

}  // namespace flowctl::cli
