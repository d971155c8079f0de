#include "core/time_trigger.hpp"

#include <fstream>
#include <string_view>

#include "util/duration.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

/// The short form `schedule: "0 9 * * *"` is the same as `schedule: {cron: "0 9 * * *"}`.
json settings_object(const std::string& kind, const json& spec) {
    if (spec.is_object()) return spec;
    if (!spec.is_string()) return json::object();
    static const std::pair<std::string_view, const char*> short_keys[] = {
        {"schedule", "cron"}, {"interval", "every"}, {"at", "time"}};
    for (const auto& [k, key] : short_keys)
        if (kind == k) return json{{key, spec}};
    return json::object();
}

std::optional<int64_t> duration_ms(const json& settings, const char* key, std::string* error) {
    if (!settings.contains(key)) return 0;
    const json& v = settings[key];
    std::optional<util::Millis> d;
    if (v.is_string()) d = util::parse_duration(v.get<std::string>());
    if (v.is_number_integer()) d = util::Millis(v.get<int64_t>() * 1000);
    if (!d || d->count() < 0) {
        if (error) *error = std::string("invalid duration for '") + key + "'";
        return std::nullopt;
    }
    return d->count();
}

bool fail(std::string* error, std::string message) {
    if (error) *error = std::move(message);
    return false;
}

bool read_catchup(TimeTrigger& t, const json& s, std::string* error) {
    std::string mode = s.value("catchup", std::string("latest"));
    if (mode == "none")
        t.catchup = Catchup::none;
    else if (mode == "latest")
        t.catchup = Catchup::latest;
    else if (mode == "all")
        t.catchup = Catchup::all;
    else
        return fail(error, "catchup must be none, latest or all");
    auto window = duration_ms(s, "catchup_window", error);
    if (!window) return false;
    t.catchup_window_ms = *window;
    if (s.contains("max_catchup")) {
        if (!s["max_catchup"].is_number_integer() || s["max_catchup"].get<int64_t>() < 0)
            return fail(error, "max_catchup must be a whole number >= 0");
        t.max_catchup = static_cast<int>(std::min<int64_t>(s["max_catchup"].get<int64_t>(), 100000));
    }
    auto jitter = duration_ms(s, "jitter", error);
    if (!jitter) return false;
    t.jitter_ms = *jitter;
    return true;
}

bool read_schedule(TimeTrigger& t, const json& s, std::string* error) {
    if (!s.contains("cron") || !s["cron"].is_string()) return fail(error, "a schedule needs 'cron'");
    const std::string expression = s["cron"].get<std::string>();
    std::string why;
    auto spec = cron::parse_cron(expression, &why);
    if (!spec) return fail(error, why);
    const std::string zone_name = s.value("timezone", std::string());
    auto zone = zone_name.empty() ? std::optional<cron::TimeZone>(cron::TimeZone::local())
                                  : cron::TimeZone::load(zone_name, &why);
    if (!zone) return fail(error, why.empty() ? "unknown time zone '" + zone_name + "'" : why);
    cron::ZonedSchedule zoned{*spec, *zone};
    zoned.gap = s.value("dst_gap", std::string("shift")) == "skip" ? cron::DstGap::skip : cron::DstGap::shift;
    zoned.repeat =
        s.value("dst_repeat", std::string("once")) == "twice" ? cron::DstRepeat::twice : cron::DstRepeat::once;
    if (spec->reboot) {
        t.kind = "reboot";
        t.key = "reboot";
    } else {
        t.key = "schedule:" + expression + "@" + (zone_name.empty() ? std::string("local") : zone_name);
    }
    t.cron = std::move(zoned);
    return read_catchup(t, s, error);
}

}  // namespace

std::optional<TimeTrigger> make_time_trigger(const std::string& flow, const std::string& kind, const json& spec,
                                             std::string* error) {
    TimeTrigger t;
    t.flow = flow;
    t.kind = kind;
    t.spec = settings_object(kind, spec);
    if (t.spec.contains("inputs") && t.spec["inputs"].is_object()) t.inputs = t.spec["inputs"];
    bool ok = false;
    if (kind == "schedule") {
        ok = read_schedule(t, t.spec, error);
    } else if (kind == "interval") {
        auto every = duration_ms(t.spec, "every", error);
        ok = every && *every > 0 ? (t.every_ms = *every, true) : fail(error, "an interval needs 'every' > 0");
        t.key = "interval:" + std::to_string(t.every_ms);
        ok = ok && read_catchup(t, t.spec, error);
    } else if (kind == "at") {
        auto when = t.spec.contains("time") && t.spec["time"].is_string()
                        ? util::parse_time(t.spec["time"].get<std::string>(), util::now_ms())
                        : std::nullopt;
        ok = when ? (t.at_ms = *when, true) : fail(error, "'at' needs an RFC 3339 time");
        t.key = "at:" + std::to_string(t.at_ms);
        ok = ok && read_catchup(t, t.spec, error);
    } else {
        fail(error, "'" + kind + "' is not a time trigger");
    }
    if (!ok) return std::nullopt;
    return t;
}

std::optional<int64_t> TimeTrigger::next_after(int64_t after_ms, int64_t armed_ms) const {
    if (kind == "at") return at_ms > after_ms ? std::optional<int64_t>(at_ms) : std::nullopt;
    if (kind == "interval") {
        if (every_ms <= 0) return std::nullopt;
        if (after_ms < armed_ms) return armed_ms + every_ms;
        int64_t k = (after_ms - armed_ms) / every_ms + 1;
        return armed_ms + k * every_ms;
    }
    if (kind == "reboot") {
        int64_t boot = boot_time_ms();
        return boot > after_ms ? std::optional<int64_t>(boot) : std::nullopt;
    }
    if (!cron) return std::nullopt;
    // Cron slots are whole seconds: the next one strictly after the second holding after_ms.
    int64_t after_sec = after_ms >= 0 ? after_ms / 1000 : -((-after_ms + 999) / 1000);
    auto next = cron::next_fire(*cron, after_sec);
    if (!next) return std::nullopt;
    return *next * 1000;
}

int64_t TimeTrigger::jitter_for(int64_t slot_ms) const {
    if (jitter_ms <= 0) return 0;
    // The same slot always gets the same delay, whichever daemon fires it.
    std::string hex = util::sha256_hex(flow + "\n" + key + "\n" + std::to_string(slot_ms)).substr(0, 12);
    return static_cast<int64_t>(std::stoull(hex, nullptr, 16) % static_cast<uint64_t>(jitter_ms));
}

int64_t boot_time_ms() {
    static const int64_t boot = [] {
        std::ifstream in("/proc/stat");
        std::string word;
        while (in >> word)
            if (word == "btime") {
                int64_t sec = 0;
                in >> sec;
                return sec * 1000;
            }
        return int64_t{0};
    }();
    return boot;
}

std::string catchup_name(Catchup c) {
    switch (c) {
        case Catchup::none:
            return "none";
        case Catchup::latest:
            return "latest";
        case Catchup::all:
            return "all";
    }
    return "latest";
}

}  // namespace flowctl::daemon
