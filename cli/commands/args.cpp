#include "commands/args.hpp"

#include <CLI/CLI.hpp>

namespace flowctl::cli {

Arg& Arg::required() {
    m_option->required();
    return *this;
}

Arg& Arg::one_of(std::initializer_list<const char*> values) {
    m_option->check(CLI::IsMember(std::vector<std::string>(values.begin(), values.end())));
    return *this;
}

Arg& Arg::range(int min, int max) {
    m_option->check(CLI::Range(min, max));
    return *this;
}

Arg& Arg::non_negative() {
    m_option->check(CLI::NonNegativeNumber);
    return *this;
}

Args Args::subcommand(const char* name, const char* help) const { return Args(m_app->add_subcommand(name, help)); }

void Args::require_subcommand() const { m_app->require_subcommand(1); }

bool Args::parsed() const { return m_app->parsed(); }

Arg Args::option(const char* names, std::string& into, const char* help) const {
    return Arg(m_app->add_option(names, into, help));
}

Arg Args::option(const char* names, int& into, const char* help) const {
    return Arg(m_app->add_option(names, into, help));
}

Arg Args::option(const char* names, std::vector<std::string>& into, const char* help) const {
    return Arg(m_app->add_option(names, into, help));
}

void Args::flag(const char* names, bool& into, const char* help) const { m_app->add_flag(names, into, help); }

}  // namespace flowctl::cli
