// `triggers:`: parsed and checked here, acted on by the daemon.
#include <arpa/inet.h>

#include "cron/cron.hpp"
#include "flow/loader.hpp"
#include "flow/timezone.hpp"
#include "util/time.hpp"

namespace flowctl::flow::detail {

namespace {

enum class Check {
    duration,
    cron,
    time_zone,
    time,
    enumeration,
    subset,
    int_min0,
    boolean,
    string,
    string_list,
    inputs,
    webhook_id,
    http_methods,
    ip_ranges
};

struct KeySpec {
    KeySpec(std::string n, Check c, bool req = false, std::vector<std::string> v = {})
        : name(std::move(n)), check(c), required(req), values(std::move(v)) {}
    std::string name;
    Check check;
    bool required = false;
    std::vector<std::string> values;  // enumeration / subset
};

struct KindSpec {
    std::string kind;
    std::string short_key;  // the key the short form `kind: VALUE` sets; empty: mapping only
    std::vector<KeySpec> keys;
};

const std::vector<KindSpec>& kinds() {
    static const std::vector<KindSpec> specs = {
        {"manual", "", {}},
        {"schedule",
         "cron",
         {{"cron", Check::cron, true},
          {"timezone", Check::time_zone},
          {"jitter", Check::duration},
          {"catchup", Check::enumeration, false, {"none", "latest", "all"}},
          {"catchup_window", Check::duration},
          {"max_catchup", Check::int_min0},
          {"inputs", Check::inputs},
          {"dst_gap", Check::enumeration, false, {"shift", "skip"}},
          {"dst_repeat", Check::enumeration, false, {"once", "twice"}}}},
        {"interval", "every", {{"every", Check::duration, true}, {"inputs", Check::inputs}}},
        {"at", "time", {{"time", Check::time, true}, {"inputs", Check::inputs}}},
        {"watch",
         "",
         {{"paths", Check::string_list, true},
          {"recursive", Check::boolean},
          {"events", Check::subset, false, {"create", "modify", "delete", "move"}},
          {"ignore", Check::string_list},
          {"debounce", Check::duration},
          {"inputs", Check::inputs}}},
        {"webhook",
         "",
         {{"id", Check::webhook_id, true},
          {"secret", Check::string},
          {"secret_file", Check::string},
          {"methods", Check::http_methods, false, {"GET", "POST", "PUT", "PATCH"}},
          {"allowed_ips", Check::ip_ranges},
          {"response", Check::enumeration, false, {"async", "sync"}},
          {"timeout", Check::duration},
          {"tolerance", Check::duration},
          {"inputs", Check::inputs}}},
    };
    return specs;
}

std::vector<std::string> kind_names() {
    std::vector<std::string> out;
    for (const auto& k : kinds()) out.push_back(k.kind);
    return out;
}

/// Pairs of a kind's keys that cannot be set together.
std::vector<std::pair<std::string, std::string>> exclusive_keys(const std::string& kind) {
    if (kind == "webhook") return {{"secret", "secret_file"}};
    return {};
}

/// A webhook id is a URL path segment: [A-Za-z0-9_.-], 1 to 64 characters.
bool valid_webhook_id(const std::string& id) {
    if (id.empty() || id.size() > 64) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
               c == '-';
    });
}

/// "A.B.C.D[/0..32]" or "IPV6[/0..128]".
bool valid_ip_range(const std::string& text) {
    const auto slash = text.find('/');
    const std::string address = text.substr(0, slash);
    unsigned char buf[16];
    int max_prefix = 0;
    if (::inet_pton(AF_INET, address.c_str(), buf) == 1)
        max_prefix = 32;
    else if (::inet_pton(AF_INET6, address.c_str(), buf) == 1)
        max_prefix = 128;
    else
        return false;
    if (slash == std::string::npos) return true;
    const std::string digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    return std::stoi(digits) <= max_prefix;
}

/// YYYY-MM-DDTHH:MM:SS[.frac] with Z or a +hh:mm offset (a bare local time is ambiguous).
bool valid_time(const std::string& text) {
    if (text.size() < 20 || (text[10] != 'T' && text[10] != 't')) return false;
    bool zoned = text.back() == 'Z' || text.back() == 'z' ||
                 ((text[text.size() - 6] == '+' || text[text.size() - 6] == '-') && text[text.size() - 3] == ':');
    return zoned && util::parse_time(text, util::now_ms()).has_value();
}

class TriggerChecker {
public:
    explicit TriggerChecker(Loader& loader) : m_loader(loader), m_tree(loader.tree) {}

    void check_item(NodeId item) {
        if (m_tree.is_scalar(item)) {
            const std::string& text = m_tree[item].value;
            const KindSpec* kind = find_kind(text);
            if (kind && kind->kind == "manual") {
                m_loader.flow.triggers.push_back({"manual", nullptr, m_tree.pos(item)});
            } else if (kind) {
                m_loader.error(item, "trigger '" + text + "' needs settings: write '" + text + ": ...'");
            } else {
                unknown_kind(item, text);
            }
            return;
        }
        if (!m_tree.is_map(item) || m_tree.pair_count(item) != 1) {
            m_loader.error(
                item,
                "a trigger is 'manual' or a mapping with one key, its kind (" + join(kind_names()) + "), got " +
                    (m_tree.is_map(item) ? std::to_string(m_tree.pair_count(item)) + " keys" : m_tree.describe(item)));
            return;
        }
        const std::string& name = m_tree.key_text(item, 0);
        NodeId value = m_tree.value_at(item, 0);
        const KindSpec* kind = find_kind(name);
        if (!kind) {
            unknown_kind(m_tree.key_at(item, 0), name);
            return;
        }
        Trigger trigger{kind->kind, nullptr, m_tree.pos(item)};
        bool ok = kind->kind == "manual" ? check_manual(value) : check_settings(*kind, value, trigger.spec);
        if (ok) m_loader.flow.triggers.push_back(std::move(trigger));
    }

private:
    const KindSpec* find_kind(const std::string& name) const {
        for (const auto& k : kinds())
            if (k.kind == name) return &k;
        return nullptr;
    }

    void unknown_kind(NodeId node, const std::string& name) {
        std::string message = "unknown trigger '" + name + "'";
        // `cron:` is what people coming from crontab-style tools write first.
        auto guess = name == "cron" ? std::optional<std::string>("schedule") : suggest(name, kind_names());
        message += guess ? " (did you mean '" + *guess + "'?)" : ": use one of " + join(kind_names());
        m_loader.error(node, message);
    }

    bool check_manual(NodeId value) {
        if (m_tree.is_null(value) || (m_tree.is_map(value) && m_tree.pair_count(value) == 0)) return true;
        m_loader.error(value, "the manual trigger takes no settings");
        return false;
    }

    bool check_settings(const KindSpec& kind, NodeId value, json& spec) {
        if (!m_tree.is_map(value)) {
            if (kind.short_key.empty() || !m_tree.is_scalar(value)) {
                m_loader.error(value,
                               "'" + kind.kind + "' trigger settings must be a mapping, got " + m_tree.describe(value));
                return false;
            }
            // Short form: the value is the main setting, kept as the string written.
            bool ok = check_value(*find_key(kind, kind.short_key), kind.kind, value);
            spec = m_tree[value].value;
            return ok;
        }
        bool ok = true;
        std::vector<std::string> names;
        for (const auto& k : kind.keys) names.push_back(k.name);
        for (size_t i = 0; i < m_tree.pair_count(value); ++i) {
            const std::string& key = m_tree.key_text(value, i);
            const KeySpec* k = find_key(kind, key);
            if (!k) {
                m_loader.unknown_key(m_tree.key_at(value, i), "'" + kind.kind + "' trigger", names);
                ok = false;
                continue;
            }
            ok = check_value(*k, kind.kind, m_tree.value_at(value, i)) && ok;
        }
        for (const auto& k : kind.keys) {
            if (k.required && !m_tree.find(value, k.name)) {
                m_loader.error(value, "'" + kind.kind + "' trigger needs '" + k.name + "'");
                ok = false;
            }
        }
        for (const auto& [first, second] : exclusive_keys(kind.kind)) {
            auto a = m_tree.find(value, first);
            auto b = m_tree.find(value, second);
            if (a && b) {
                m_loader.error(*b, "'" + second + "' and '" + first + "' cannot both be set: use one");
                ok = false;
            }
        }
        if (!ok) return false;
        auto converted = m_loader.to_json(value);
        if (!converted) return false;
        spec = std::move(*converted);
        // Durations stay as written ("90" means seconds, not a number of anything else).
        for (const auto& k : kind.keys)
            if (k.check == Check::duration && spec.contains(k.name))
                spec[k.name] = m_tree[*m_tree.find(value, k.name)].value;
        return true;
    }

    static const KeySpec* find_key(const KindSpec& kind, const std::string& name) {
        for (const auto& k : kind.keys)
            if (k.name == name) return &k;
        return nullptr;
    }

    bool check_value(const KeySpec& k, const std::string& kind, NodeId node) {
        std::string what = "'" + k.name + "'";
        auto text = [&]() -> std::optional<std::string> { return m_loader.string_value(node, what); };
        switch (k.check) {
            case Check::duration:
                if (auto d = m_loader.duration_value(node, what)) {
                    if (k.name == "every" && d->count() <= 0) {
                        m_loader.error(node, "'every' must be longer than 0s");
                        return false;
                    }
                    return true;
                }
                return false;
            case Check::cron: {
                auto t = text();
                if (!t) return false;
                std::string why;
                if (cron::parse_cron(*t, &why)) return true;
                if (why.rfind("cron: ", 0) == 0) why.erase(0, 6);
                m_loader.error(node, "invalid cron expression '" + *t + "': " + why);
                return false;
            }
            case Check::time_zone: {
                auto t = text();
                if (!t) return false;
                if (time_zone_exists(*t)) return true;
                std::string message = "unknown time zone '" + *t + "'";
                if (auto guess = suggest_time_zone(*t)) message += " (did you mean '" + *guess + "'?)";
                m_loader.error(node, message);
                return false;
            }
            case Check::time: {
                auto t = text();
                if (!t) return false;
                if (valid_time(*t)) return true;
                m_loader.error(node,
                               "invalid time '" + *t + "': use RFC 3339 with an offset, e.g. 2026-11-28T15:04:05Z");
                return false;
            }
            case Check::enumeration: {
                auto t = m_tree.is_scalar(node) ? std::optional(m_tree[node].value) : std::nullopt;
                if (t && std::find(k.values.begin(), k.values.end(), *t) != k.values.end()) return true;
                std::string message = what + " must be one of " + join(k.values) + ", got " + m_tree.describe(node);
                if (t)
                    if (auto guess = suggest(*t, k.values)) message += " (did you mean '" + *guess + "'?)";
                m_loader.error(node, message);
                return false;
            }
            case Check::subset: {
                auto items = m_loader.string_list(node, what);
                if (!items) return false;
                bool ok = true;
                for (size_t i = 0; i < items->size(); ++i) {
                    const std::string& item = (*items)[i];
                    if (std::find(k.values.begin(), k.values.end(), item) != k.values.end()) continue;
                    std::string message = "unknown event '" + item + "' in " + what + ": use " + join(k.values);
                    if (auto guess = suggest(item, k.values)) message += " (did you mean '" + *guess + "'?)";
                    m_loader.error(m_tree[node].children[i], message);
                    ok = false;
                }
                return ok;
            }
            case Check::int_min0:
                return m_loader.int_value(node, what, 0).has_value();
            case Check::boolean:
                return m_loader.bool_value(node, what).has_value();
            case Check::string:
                return text().has_value();
            case Check::string_list: {
                auto items = m_loader.string_list(node, what);
                if (items && k.required && items->empty()) {
                    m_loader.error(node, what + " must not be empty");
                    return false;
                }
                return items.has_value();
            }
            case Check::inputs:
                return check_inputs(node);
            case Check::webhook_id: {
                auto t = text();
                if (!t) return false;
                if (valid_webhook_id(*t)) return true;
                m_loader.error(node, "invalid webhook id '" + *t + "': use 1 to 64 of A-Z a-z 0-9 _ . -");
                return false;
            }
            case Check::http_methods:
                return check_items(node, what, [&](const std::string& item) -> std::optional<std::string> {
                    if (std::find(k.values.begin(), k.values.end(), item) != k.values.end()) return std::nullopt;
                    std::string message = "unknown method '" + item + "' in " + what + ": use " + join(k.values);
                    if (auto guess = suggest(item, k.values)) message += " (did you mean '" + *guess + "'?)";
                    return message;
                });
            case Check::ip_ranges:
                return check_items(node, what, [](const std::string& item) -> std::optional<std::string> {
                    if (valid_ip_range(item)) return std::nullopt;
                    return "invalid address '" + item +
                           "': use an IPv4 or IPv6 address or CIDR range (10.0.0.0/8, ::1/128)";
                });
        }
        return true;
    }

    /// A list of strings, each checked by `problem` (its message, or nullopt when fine).
    template <typename Problem>
    bool check_items(NodeId node, const std::string& what, Problem problem) {
        auto items = m_loader.string_list(node, what);
        if (!items) return false;
        bool ok = true;
        for (size_t i = 0; i < items->size(); ++i) {
            if (auto message = problem((*items)[i])) {
                m_loader.error(m_tree[node].children[i], *message);
                ok = false;
            }
        }
        return ok;
    }

    /// Inputs a trigger passes must be inputs the flow declares.
    bool check_inputs(NodeId node) {
        if (!m_loader.expect_map(node, "a trigger's 'inputs'")) return false;
        const auto& order = m_loader.flow.input_order;
        bool ok = true;
        for (size_t i = 0; i < m_tree.pair_count(node); ++i) {
            const std::string& name = m_tree.key_text(node, i);
            if (m_loader.flow.inputs.count(name)) continue;
            std::string message = "the trigger sets input '" + name + "', which the flow does not declare";
            if (auto guess = suggest(name, order)) message += " (did you mean '" + *guess + "'?)";
            m_loader.error(m_tree.key_at(node, i), message);
            ok = false;
        }
        return ok;
    }

    Loader& m_loader;
    const YTree& m_tree;
};

}  // namespace

void build_triggers(Loader& loader, NodeId triggers_node) {
    const YTree& t = loader.tree;
    if (!t.is_seq(triggers_node)) {
        loader.error(triggers_node, "'triggers' must be a list, got " + t.describe(triggers_node));
        return;
    }
    TriggerChecker checker(loader);
    for (NodeId item : t[triggers_node].children) checker.check_item(item);
}

}  // namespace flowctl::flow::detail
