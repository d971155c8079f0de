// The configuration: defaults, the YAML file, FLOWCTL_* variables and flags, in that order.
#include "config/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/size.hpp"
#include "support/temp_dir.hpp"
#include "util/paths.hpp"

using namespace flowctl::config;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_variables[] = {
    "HOME",
    "XDG_STATE_HOME",
    "XDG_CONFIG_HOME",
    "XDG_RUNTIME_DIR",
    "FLOWCTL_CONFIG",
    "FLOWCTL_STATE_DIR",
    "FLOWCTL_FLOWS_DIR",
    "FLOWCTL_SOCKET",
    "FLOWCTL_LISTEN",
    "FLOWCTL_LOG_LEVEL",
    "FLOWCTL_LOG_MAX_SIZE",
    "FLOWCTL_LOG_MAX_FILES",
    "FLOWCTL_DRAIN_GRACE",
    "FLOWCTL_KILL_GRACE",
    "FLOWCTL_MAX_CONCURRENT",
    "FLOWCTL_RETENTION_MAX_AGE",
    "FLOWCTL_RETENTION_MAX_EXECUTIONS",
    "FLOWCTL_GC_INTERVAL",
    "FLOWCTL_MAX_BODY",
    "FLOWCTL_URL",
    "FLOWCTL_TOKEN",
    "FLOWCTL_AUTOSTART",
};

// Every test starts from an environment with only HOME set, to a temp dir, and restores the
// real one afterwards.
class ConfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (const char* name : k_variables) {
            if (const char* v = std::getenv(name)) m_saved[name] = v;
            ::unsetenv(name);
        }
        m_cwd = fs::current_path();
        set("HOME", home().string());
    }
    void TearDown() override {
        fs::current_path(m_cwd);
        for (const char* name : k_variables) {
            if (auto it = m_saved.find(name); it != m_saved.end())
                ::setenv(name, it->second.c_str(), 1);
            else
                ::unsetenv(name);
        }
    }

    static void set(const char* name, const std::string& value) { ::setenv(name, value.c_str(), 1); }
    fs::path home() const { return m_dir.path() / "home"; }
    /// The default config file, ~/.config/flowctl/config.yaml.
    fs::path write_config(const std::string& yaml) const {
        return m_dir.write("home/.config/flowctl/config.yaml", yaml);
    }

    /// load() must fail; returns its message.
    static std::string error_of(const Overrides& flags = {}) {
        try {
            load(flags);
        } catch (const ConfigError& e) {
            return e.what();
        }
        ADD_FAILURE() << "expected a ConfigError";
        return {};
    }

    flowctl::test::TempDir m_dir;

private:
    std::map<std::string, std::string> m_saved;
    fs::path m_cwd;
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

// ---- Defaults ----

TEST_F(ConfigTest, DefaultsUnderHomeWithoutXdgVariables) {
    Config c = load();
    EXPECT_EQ(c.config_file, fs::path());
    EXPECT_EQ(c.state_dir, home() / ".local/state/flowctl");
    EXPECT_EQ(c.state_dir, flowctl::util::state_dir());
    EXPECT_EQ(c.flows_dir, home() / ".config/flowctl/flows");
    EXPECT_EQ(c.socket_path, fs::path("/tmp/flowctl-" + std::to_string(::getuid())) / "flowd.sock");
    EXPECT_EQ(c.listen, "");
    EXPECT_EQ(c.log_level, "info");
    EXPECT_EQ(c.log_max_bytes, 10u << 20);
    EXPECT_EQ(c.log_max_files, 3);
    EXPECT_EQ(c.drain_grace, 30s);
    EXPECT_EQ(c.kill_grace, 5s);
    EXPECT_EQ(c.max_concurrent, 8);
    EXPECT_EQ(c.retention_max_age, 30 * 24h);
    EXPECT_EQ(c.retention_max_executions, 10000);
    EXPECT_EQ(c.gc_interval, 1h);
    EXPECT_EQ(c.max_body_bytes, 1u << 20);
    EXPECT_EQ(c.url, "");
    EXPECT_EQ(c.token, "");
    EXPECT_TRUE(c.autostart);
    EXPECT_EQ(default_config_file(), home() / ".config/flowctl/config.yaml");
}

TEST_F(ConfigTest, DefaultsFollowXdgVariables) {
    set("XDG_STATE_HOME", (m_dir.path() / "xs").string());
    set("XDG_CONFIG_HOME", (m_dir.path() / "xc").string());
    set("XDG_RUNTIME_DIR", (m_dir.path() / "xr").string());
    Config c = load();
    EXPECT_EQ(c.state_dir, m_dir.path() / "xs/flowctl");
    EXPECT_EQ(c.state_dir, flowctl::util::state_dir());
    EXPECT_EQ(c.flows_dir, m_dir.path() / "xc/flowctl/flows");
    EXPECT_EQ(c.socket_path, m_dir.path() / "xr/flowctl/flowd.sock");
    EXPECT_EQ(default_config_file(), m_dir.path() / "xc/flowctl/config.yaml");
}

TEST_F(ConfigTest, RelativeXdgVariablesAreIgnoredAsTheSpecSays) {
    set("XDG_STATE_HOME", "relative/state");
    set("XDG_CONFIG_HOME", "relative/config");
    set("XDG_RUNTIME_DIR", "relative/run");
    Config c = load();
    EXPECT_EQ(c.state_dir, home() / ".local/state/flowctl");
    EXPECT_EQ(c.state_dir, flowctl::util::state_dir());
    EXPECT_EQ(c.flows_dir, home() / ".config/flowctl/flows");
    EXPECT_EQ(c.socket_path.parent_path().parent_path(), fs::path("/tmp"));
}

TEST_F(ConfigTest, TheFileIsFoundThroughFlowctlConfigThenXdgConfigHome) {
    auto xdg_file = m_dir.write("xc/flowctl/config.yaml", "max_concurrent: 3\n");
    set("XDG_CONFIG_HOME", (m_dir.path() / "xc").string());
    EXPECT_EQ(load().max_concurrent, 3);
    EXPECT_EQ(load().config_file, xdg_file);

    auto named = m_dir.write("elsewhere.yaml", "max_concurrent: 4\n");
    set("FLOWCTL_CONFIG", named.string());
    EXPECT_EQ(default_config_file(), named);
    EXPECT_EQ(load().max_concurrent, 4);
    EXPECT_EQ(load().config_file, named);

    // A flag names yet another one.
    auto flagged = m_dir.write("flagged.yaml", "max_concurrent: 5\n");
    EXPECT_EQ(load({{"config", flagged.string()}}).max_concurrent, 5);
}

TEST_F(ConfigTest, AMissingDefaultFileIsFineButANamedOneIsNot) {
    EXPECT_NO_THROW(load());
    set("FLOWCTL_CONFIG", (m_dir.path() / "nope.yaml").string());
    std::string msg = error_of();
    EXPECT_TRUE(contains(msg, "nope.yaml")) << msg;
    EXPECT_TRUE(contains(msg, "not found")) << msg;
    ::unsetenv("FLOWCTL_CONFIG");
    msg = error_of({{"config", (m_dir.path() / "gone.yaml").string()}});
    EXPECT_TRUE(contains(msg, "gone.yaml")) << msg;
}

TEST_F(ConfigTest, EmptyFileAndEmptySectionChangeNothing) {
    write_config("# nothing yet\n");
    EXPECT_EQ(load().max_concurrent, 8);
    write_config("retention:\n");
    EXPECT_EQ(load().retention_max_executions, 10000);
}

// ---- The file ----

TEST_F(ConfigTest, FileSetsEverySetting) {
    auto file = write_config(R"(
state_dir: /srv/flowctl/state
flows_dir: /srv/flowctl/flows
socket: /run/flowd.sock
listen: 127.0.0.1:8080
log_level: debug
log_max_size: 512KiB
log_max_files: 7
drain_grace: 1m
kill_grace: 2s
max_concurrent: 16
retention:
  max_age: 7d
  max_executions: 500
gc_interval: 15m
max_body: 2MB
url: http://10.0.0.2:8080
token: s3cret
autostart: false
)");
    Config c = load();
    EXPECT_EQ(c.config_file, file);
    EXPECT_EQ(c.state_dir, "/srv/flowctl/state");
    EXPECT_EQ(c.flows_dir, "/srv/flowctl/flows");
    EXPECT_EQ(c.socket_path, "/run/flowd.sock");
    EXPECT_EQ(c.listen, "127.0.0.1:8080");
    EXPECT_EQ(c.log_level, "debug");
    EXPECT_EQ(c.log_max_bytes, 512u * 1024);
    EXPECT_EQ(c.log_max_files, 7);
    EXPECT_EQ(c.drain_grace, 1min);
    EXPECT_EQ(c.kill_grace, 2s);
    EXPECT_EQ(c.max_concurrent, 16);
    EXPECT_EQ(c.retention_max_age, 7 * 24h);
    EXPECT_EQ(c.retention_max_executions, 500);
    EXPECT_EQ(c.gc_interval, 15min);
    EXPECT_EQ(c.max_body_bytes, 2'000'000u);
    EXPECT_EQ(c.url, "http://10.0.0.2:8080");
    EXPECT_EQ(c.token, "s3cret");
    EXPECT_FALSE(c.autostart);
}

TEST_F(ConfigTest, RelativePathsInTheFileAreRelativeToItsDirectoryAndTildeExpands) {
    auto file = m_dir.write("etc/flowctl.yaml", "state_dir: state\nflows_dir: ../flows\nsocket: ~/run/flowd.sock\n");
    set("FLOWCTL_CONFIG", file.string());
    fs::current_path("/");  // the working directory plays no part
    Config c = load();
    EXPECT_EQ(c.state_dir, m_dir.path() / "etc/state");
    EXPECT_EQ(c.flows_dir, m_dir.path() / "flows");
    EXPECT_EQ(c.socket_path, home() / "run/flowd.sock");
}

TEST_F(ConfigTest, RelativePathsFromEnvironmentAndFlagsAreRelativeToTheWorkingDirectory) {
    fs::current_path(m_dir.path());
    set("FLOWCTL_STATE_DIR", "here/state");
    Config c = load({{"flows_dir", "there"}, {"socket", "~"}});
    EXPECT_EQ(c.state_dir, m_dir.path() / "here/state");
    EXPECT_EQ(c.flows_dir, m_dir.path() / "there");
    EXPECT_EQ(c.socket_path, home());
}

TEST_F(ConfigTest, UnknownKeyIsAnErrorAtItsPositionWithASuggestion) {
    auto file = write_config("log_level: info\nmax_concurent: 4\n");
    std::string msg = error_of();
    EXPECT_EQ(msg, file.string() + ":2:1: error: unknown key 'max_concurent'; did you mean 'max_concurrent'?");

    write_config("retention:\n  max_executions: 5\n  maxage: 3d\n");
    msg = error_of();
    EXPECT_TRUE(contains(msg, ":3:3: error: unknown key 'maxage' in 'retention'; did you mean 'max_age'?")) << msg;

    write_config("colour: blue\n");
    msg = error_of();
    EXPECT_TRUE(contains(msg, ":1:1: error: unknown key 'colour'")) << msg;
    EXPECT_FALSE(contains(msg, "did you mean")) << msg;

    // A setting's key nested under the wrong parent is unknown there.
    write_config("retention:\n  gc_interval: 1h\n");
    msg = error_of();
    EXPECT_TRUE(contains(msg, ":2:3: error: unknown key 'gc_interval' in 'retention'")) << msg;
}

TEST_F(ConfigTest, BadValuesAreErrorsAtTheValue) {
    auto file = write_config("max_concurrent: lots\n");
    EXPECT_EQ(error_of(), file.string() + ":1:17: error: 'max_concurrent': expected a whole number, got 'lots'");

    write_config("retention:\n  max_age:   forever\n");
    std::string msg = error_of();
    EXPECT_TRUE(contains(msg, ":2:14: error: 'retention.max_age': invalid duration 'forever'")) << msg;

    write_config("log_max_size: 10 parsecs\n");
    msg = error_of();
    EXPECT_TRUE(contains(msg, ":1:15: error: 'log_max_size': invalid size '10 parsecs'")) << msg;

    write_config("log_level: loud\n");
    msg = error_of();
    EXPECT_TRUE(contains(msg, ":1:12: error: 'log_level': unknown log level 'loud'")) << msg;

    write_config("listen: localhost\n");
    EXPECT_TRUE(contains(error_of(), ":1:9: error: 'listen': expected HOST:PORT"));
    write_config("listen: localhost:99999\n");
    EXPECT_TRUE(contains(error_of(), "invalid port"));
    write_config("url: 10.0.0.1:8080\n");
    EXPECT_TRUE(contains(error_of(), "'url': expected an http:// URL"));
    write_config("autostart: maybe\n");
    EXPECT_TRUE(contains(error_of(), ":1:12: error: 'autostart': expected true or false"));
    write_config("max_concurrent: 0\n");
    EXPECT_TRUE(contains(error_of(), "out of range"));
    write_config("max_concurrent:\n");
    EXPECT_TRUE(contains(error_of(), ":1:1: error: 'max_concurrent'"));
}

TEST_F(ConfigTest, StructureErrorsHavePositions) {
    write_config("state_dir: [a, b]\n");
    std::string msg = error_of();
    EXPECT_TRUE(contains(msg, ":1:12: error: 'state_dir' must be a single value")) << msg;

    write_config("retention: 30d\n");
    msg = error_of();
    EXPECT_TRUE(contains(msg, ":1:12: error: 'retention' must be a mapping")) << msg;

    write_config("- state_dir: x\n");
    msg = error_of();
    EXPECT_TRUE(contains(msg, ":1:1: error: the config file must be a mapping")) << msg;

    write_config("max_concurrent: 2\nmax_concurrent: 3\n");
    msg = error_of();
    EXPECT_TRUE(contains(msg, ":2:1: error: duplicate key 'max_concurrent'")) << msg;

    auto file = write_config("listen: \"127.0.0.1:80\nlog_level: info\n");
    msg = error_of();
    EXPECT_EQ(msg.rfind(file.string() + ":", 0), 0u) << msg;
    EXPECT_TRUE(contains(msg, "error:")) << msg;
}

// ---- Precedence ----

TEST_F(ConfigTest, EachLevelOverridesTheOneBelow) {
    write_config("max_concurrent: 2\nlisten: 127.0.0.1:1000\nlog_level: warn\nretention:\n  max_age: 2d\n");
    Config from_file = load();
    EXPECT_EQ(from_file.max_concurrent, 2);
    EXPECT_EQ(from_file.listen, "127.0.0.1:1000");
    EXPECT_EQ(from_file.retention_max_age, 48h);
    EXPECT_EQ(from_file.kill_grace, 5s);  // default where nothing says otherwise

    set("FLOWCTL_MAX_CONCURRENT", "3");
    set("FLOWCTL_LISTEN", "127.0.0.1:2000");
    set("FLOWCTL_RETENTION_MAX_AGE", "3d");
    Config from_env = load();
    EXPECT_EQ(from_env.max_concurrent, 3);
    EXPECT_EQ(from_env.listen, "127.0.0.1:2000");
    EXPECT_EQ(from_env.retention_max_age, 72h);
    EXPECT_EQ(from_env.log_level, "warn");  // only in the file

    Config from_flags = load({{"max_concurrent", "4"}, {"retention.max_age", "4d"}});
    EXPECT_EQ(from_flags.max_concurrent, 4);
    EXPECT_EQ(from_flags.retention_max_age, 96h);
    EXPECT_EQ(from_flags.listen, "127.0.0.1:2000");  // env, no flag
}

TEST_F(ConfigTest, EveryVariableSetsItsSetting) {
    set("FLOWCTL_STATE_DIR", "/s");
    set("FLOWCTL_FLOWS_DIR", "/f");
    set("FLOWCTL_SOCKET", "/k.sock");
    set("FLOWCTL_LISTEN", "[::1]:8080");
    set("FLOWCTL_LOG_LEVEL", "ERROR");
    set("FLOWCTL_LOG_MAX_SIZE", "1MiB");
    set("FLOWCTL_LOG_MAX_FILES", "2");
    set("FLOWCTL_DRAIN_GRACE", "10s");
    set("FLOWCTL_KILL_GRACE", "250ms");
    set("FLOWCTL_MAX_CONCURRENT", "1");
    set("FLOWCTL_RETENTION_MAX_AGE", "0");
    set("FLOWCTL_RETENTION_MAX_EXECUTIONS", "0");
    set("FLOWCTL_GC_INTERVAL", "0");
    set("FLOWCTL_MAX_BODY", "4096");
    set("FLOWCTL_URL", "https://flows.example:8443");
    set("FLOWCTL_TOKEN", "tok");
    set("FLOWCTL_AUTOSTART", "0");
    Config c = load();
    EXPECT_EQ(c.state_dir, "/s");
    EXPECT_EQ(c.state_dir, flowctl::util::state_dir());
    EXPECT_EQ(c.flows_dir, "/f");
    EXPECT_EQ(c.socket_path, "/k.sock");
    EXPECT_EQ(c.listen, "[::1]:8080");
    EXPECT_EQ(c.log_level, "error");
    EXPECT_EQ(c.log_max_bytes, 1u << 20);
    EXPECT_EQ(c.log_max_files, 2);
    EXPECT_EQ(c.drain_grace, 10s);
    EXPECT_EQ(c.kill_grace, 250ms);
    EXPECT_EQ(c.max_concurrent, 1);
    EXPECT_EQ(c.retention_max_age, 0ms);
    EXPECT_EQ(c.retention_max_executions, 0);
    EXPECT_EQ(c.gc_interval, 0ms);
    EXPECT_EQ(c.max_body_bytes, 4096u);
    EXPECT_EQ(c.url, "https://flows.example:8443");
    EXPECT_EQ(c.token, "tok");
    EXPECT_FALSE(c.autostart);
}

TEST_F(ConfigTest, AnEmptyVariableCountsAsUnset) {
    write_config("max_concurrent: 2\n");
    set("FLOWCTL_MAX_CONCURRENT", "");
    EXPECT_EQ(load().max_concurrent, 2);
}

TEST_F(ConfigTest, EnvironmentAndFlagErrorsNameTheirSource) {
    set("FLOWCTL_KILL_GRACE", "a while");
    EXPECT_EQ(error_of(),
              "FLOWCTL_KILL_GRACE: invalid duration 'a while' (expected e.g. 500ms, 30s, 5m, 1h, 30d; 0 for none)");
    ::unsetenv("FLOWCTL_KILL_GRACE");

    std::string msg = error_of({{"retention.max_executions", "-5"}});
    EXPECT_EQ(msg.rfind("--retention-max-executions: ", 0), 0u) << msg;
    msg = error_of({{"max_body", "big"}});
    EXPECT_EQ(msg.rfind("--max-body: invalid size 'big'", 0), 0u) << msg;
    msg = error_of({{"colour", "blue"}});
    EXPECT_EQ(msg, "--colour: unknown setting 'colour'");
}

TEST_F(ConfigTest, AnInvalidVariableIsAnErrorEvenWhenAFlagReplacesIt) {
    // Flags apply after the environment, so an invalid variable is still an error: the user
    // should hear about it rather than have it silently ignored.
    set("FLOWCTL_MAX_CONCURRENT", "x");
    EXPECT_TRUE(contains(error_of({{"max_concurrent", "2"}}), "FLOWCTL_MAX_CONCURRENT"));
}

// ---- Values ----

TEST_F(ConfigTest, SizesAcceptBinaryAndDecimalUnitsAndPlainBytes) {
    using flowctl::config::detail::parse_size;
    EXPECT_EQ(parse_size("10MiB"), 10u << 20);
    EXPECT_EQ(parse_size("512KiB"), 512u << 10);
    EXPECT_EQ(parse_size("1GiB"), 1u << 30);
    EXPECT_EQ(parse_size("1MB"), 1'000'000u);
    EXPECT_EQ(parse_size("64KB"), 64'000u);
    EXPECT_EQ(parse_size("2GB"), 2'000'000'000u);
    EXPECT_EQ(parse_size("1.5KiB"), 1536u);
    EXPECT_EQ(parse_size("100B"), 100u);
    EXPECT_EQ(parse_size("4096"), 4096u);
    EXPECT_EQ(parse_size(" 10 mib "), 10u << 20);
    for (const char* bad : {"", "MiB", "-1", "10XB", "1e9", "10 MiB extra", ".", "99999999999GiB"})
        EXPECT_FALSE(parse_size(bad)) << bad;

    write_config("max_body: 0\n");
    EXPECT_TRUE(contains(error_of(), "invalid size '0'"));
}

TEST_F(ConfigTest, DurationsUseTheDurationSyntaxIncludingDays) {
    write_config("retention:\n  max_age: 30d\ndrain_grace: 1h30m\nkill_grace: 1.5s\ngc_interval: 45\n");
    Config c = load();
    EXPECT_EQ(c.retention_max_age, 30 * 24h);
    EXPECT_EQ(c.drain_grace, 90min);
    EXPECT_EQ(c.kill_grace, 1500ms);
    EXPECT_EQ(c.gc_interval, 45s);  // a bare number is seconds
}

TEST_F(ConfigTest, BooleansAcceptTheUsualSpellings) {
    for (const char* yes : {"1", "true", "TRUE", "yes", "on"}) {
        set("FLOWCTL_AUTOSTART", yes);
        EXPECT_TRUE(load().autostart) << yes;
    }
    for (const char* no : {"0", "false", "False", "no", "off"}) {
        set("FLOWCTL_AUTOSTART", no);
        EXPECT_FALSE(load().autostart) << no;
    }
}

TEST_F(ConfigTest, AnEmptyListenMeansTheUnixSocketOnly) {
    write_config("listen: 127.0.0.1:8080\n");
    EXPECT_EQ(load({{"listen", ""}}).listen, "");
    write_config("listen:\n");
    EXPECT_EQ(load().listen, "");
}

TEST_F(ConfigTest, ARelativeConfigFileNameIsTakenFromTheWorkingDirectory) {
    m_dir.write("proj/flowctl.yaml", "state_dir: state\n");
    fs::current_path(m_dir.path() / "proj");
    set("FLOWCTL_CONFIG", "flowctl.yaml");
    Config c = load();
    EXPECT_EQ(c.config_file, m_dir.path() / "proj/flowctl.yaml");
    EXPECT_EQ(c.state_dir, m_dir.path() / "proj/state");
}
