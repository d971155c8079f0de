#pragma once
// Declaring a command's arguments through a narrow face of CLI11. Only args.cpp and main.cpp
// include CLI11's header: it defines its validators as constants in every file that includes
// it, and constructing them all costs start-up time in every flowctl process.
#include <initializer_list>
#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace flowctl::cli {

/// One option or positional argument, to refine after adding it.
class Arg {
public:
    explicit Arg(CLI::Option* option) : m_option(option) {}
    Arg& required();
    Arg& one_of(std::initializer_list<const char*> values);
    Arg& range(int min, int max);
    Arg& non_negative();

private:
    CLI::Option* m_option;
};

/// A command (or the program) whose arguments are being declared.
class Args {
public:
    explicit Args(CLI::App* app) : m_app(app) {}
    CLI::App* app() const { return m_app; }

    Args subcommand(const char* name, const char* help) const;
    void require_subcommand() const;
    /// True when this command was named on the command line.
    bool parsed() const;

    /// names: "name" for a positional, "-o,--output" for an option.
    Arg option(const char* names, std::string& into, const char* help) const;
    Arg option(const char* names, int& into, const char* help) const;
    Arg option(const char* names, std::vector<std::string>& into, const char* help) const;
    void flag(const char* names, bool& into, const char* help) const;

private:
    CLI::App* m_app;
};

}  // namespace flowctl::cli
