// /hooks/{id}: webhook triggers (open routes, guarded by the hook's own address list and
// signature), and /api/v1/webhooks: what each hook is and how its requests went.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "api/api_json.hpp"
#include "api/route_groups.hpp"
#include "core/ip_allowlist.hpp"
#include "core/webhook_signature.hpp"
#include "http/api_error.hpp"
#include "util/duration.hpp"
#include "util/time.hpp"

namespace flowctl::daemon {

namespace {

constexpr int64_t k_dedupe_window_ms = 24 * 3600 * 1000;
constexpr std::chrono::milliseconds k_default_sync_timeout{30'000};
constexpr std::chrono::milliseconds k_max_sync_timeout{3'600'000};  // a waiting request holds a server thread
constexpr int k_recent_requests = 50;

/// One webhook trigger of an installed flow, read from its live version.
struct Hook {
    std::string id;
    FlowEntry entry;
    json spec;

    std::vector<std::string> methods() const {
        std::vector<std::string> out = spec.value("methods", std::vector<std::string>{});
        if (out.empty()) out.push_back("POST");
        return out;
    }
    bool allows_method(const std::string& method) const {
        const auto m = methods();
        return std::find(m.begin(), m.end(), method) != m.end();
    }
    bool sync() const { return spec.value("response", "async") == "sync"; }
    bool is_signed() const { return spec.contains("secret") || spec.contains("secret_file"); }
    std::vector<std::string> allowed_ips() const { return spec.value("allowed_ips", std::vector<std::string>{}); }
    std::chrono::milliseconds timeout() const {
        auto d = spec.contains("timeout") ? util::parse_duration(spec["timeout"].get<std::string>()) : std::nullopt;
        return std::clamp(d.value_or(k_default_sync_timeout), std::chrono::milliseconds(0), k_max_sync_timeout);
    }
    std::optional<std::chrono::seconds> tolerance() const {
        if (!spec.contains("tolerance")) return std::nullopt;
        auto d = util::parse_duration(spec["tolerance"].get<std::string>());
        if (!d) return std::nullopt;
        return std::chrono::duration_cast<std::chrono::seconds>(*d);
    }
    std::string url_path() const { return "/hooks/" + id; }
};

/// Every webhook of every flow, in flow-name order.
std::vector<Hook> all_hooks(const FlowRegistry& flows) {
    std::vector<Hook> out;
    for (const auto& entry : flows.list()) {
        if (!entry.flow) continue;
        for (const auto& trigger : entry.flow->triggers) {
            if (trigger.kind != "webhook" || !trigger.spec.is_object()) continue;
            out.push_back({trigger.spec.value("id", ""), entry, trigger.spec});
        }
    }
    return out;
}

/// The one hook with this id: 404 when none, 409 when several flows claim it.
Hook find_hook(const FlowRegistry& flows, const std::string& id) {
    std::vector<Hook> found;
    for (auto& hook : all_hooks(flows))
        if (hook.id == id) found.push_back(std::move(hook));
    if (found.empty()) throw not_found("no webhook '" + id + "'");
    if (found.size() > 1) {
        std::string names;
        json list = json::array();
        for (const auto& hook : found) {
            names += (names.empty() ? "'" : " and '") + hook.entry.name + "'";
            list.push_back(hook.entry.name);
        }
        throw conflict("webhook '" + id + "' is declared by flows " + names, {{"flows", list}});
    }
    return found.front();
}

/// A secret file's bytes, without the trailing newline an editor or `echo` leaves.
std::string read_secret_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    if (in) text << in.rdbuf();
    if (!in || in.bad()) {
        spdlog::error("webhook secret_file {} cannot be read", path);
        throw ApiError(500, "internal", "the webhook's secret_file cannot be read (see the daemon's log)");
    }
    std::string secret = text.str();
    if (!secret.empty() && secret.back() == '\n') secret.pop_back();
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    return secret;
}

/// The peer's address; empty on the Unix socket, which the transport names "unix".
std::string remote_address(const httplib::Request& http) {
    return http.remote_addr == "unix" ? std::string() : http.remote_addr;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

bool is_json_type(const std::string& content_type) {
    const std::string type = lower(content_type.substr(0, content_type.find(';')));
    return type.find("json") != std::string::npos;  // application/json, application/x+json, text/json
}

/// What the flow sees as `trigger`: the request as received.
json trigger_data(const Hook& hook, const Request& req, const std::string& delivery_id) {
    const auto& http = req.http;
    json headers = json::object();
    for (const auto& [name, value] : http.headers) {
        // cpp-httplib's own entries, not the client's.
        if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT") continue;
        const std::string key = lower(name);
        headers[key] = headers.contains(key) ? headers[key].get<std::string>() + ", " + value : value;
    }
    json query = json::object();
    for (const auto& [name, value] : http.params) {
        if (!query.contains(name)) {
            query[name] = value;
        } else {
            if (!query[name].is_array()) query[name] = json::array({query[name]});
            query[name].push_back(value);
        }
    }
    json body = http.body;
    if (is_json_type(http.get_header_value("Content-Type"))) {
        json parsed = json::parse(http.body, nullptr, false);
        if (!parsed.is_discarded()) body = std::move(parsed);
    }
    return {{"hook_id", hook.id},
            {"method", http.method},
            {"path", http.path},
            {"query", query},
            {"headers", headers},
            {"body", body},
            {"remote_addr", remote_address(http)},
            {"delivery_id", delivery_id}};
}

/// A delivery id seen since the run was created: the earlier run answers instead.
struct DuplicateDelivery {
    std::string execution_id;
};

void reply_error(httplib::Response& res, const Request& req, const ApiError& e) {
    reply(res, e.status, error_body(e.status, e.code, e.what(), e.details, req.request_id));
}

/// The answer about a run: 202 with its id, or in sync mode its result once it ends.
int answer_with_execution(Services& s, const Hook& hook, const Request& req, httplib::Response& res,
                          const std::string& execution_id) {
    const json accepted = {{"execution_id", execution_id}, {"status_url", "/api/v1/executions/" + execution_id}};
    if (!hook.sync()) {
        reply(res, 202, accepted);
        return 202;
    }
    const auto record = s.executions.wait(execution_id, hook.timeout());
    if (!is_final_status(record.status)) {
        reply(res, 202, accepted);
        return 202;
    }
    if (record.status == "succeeded") {
        reply(res, 200, record.outputs.is_object() ? record.outputs : json::object());
        return 200;
    }
    const std::string message = "the flow's run " + execution_id + " ended " + record.status +
                                (record.error.empty() ? "" : ": " + record.error);
    reply(res, 500,
          error_body(500, "flow_failed", message,
                     {{"execution_id", execution_id}, {"status", record.status}, {"error", record.error}},
                     req.request_id));
    return 500;
}

class HookCall {
public:
    HookCall(Services& s, Request& req, httplib::Response& res) : m_s(s), m_req(req), m_res(res) {
        const auto& http = req.http;
        m_record.hook_id = req.path_params.at("id");
        m_record.received_ms = util::now_ms();
        m_record.remote_addr = remote_address(http);
        m_record.user_agent = http.get_header_value("User-Agent");
        m_record.delivery_id = http.has_header("X-Delivery-Id") ? http.get_header_value("X-Delivery-Id")
                                                                : http.get_header_value("Idempotency-Key");
    }

    /// Answers the request and records how it went, whatever happens.
    void handle() {
        Hook hook;
        try {
            hook = find_hook(m_s.flows, m_record.hook_id);
        } catch (const ApiError& e) {
            // Unknown ids are not recorded: anyone could fill the table with made-up ones.
            if (e.status == 404) throw;
            return fail(e);
        }
        try {
            run(hook);
        } catch (const ApiError& e) {
            fail(e);
        } catch (const std::exception& e) {
            m_record.status = 500;
            m_record.error = e.what();
            save();
            throw;
        }
    }

private:
    void run(const Hook& hook) {
        const auto& http = m_req.http;
        // On the Unix socket there is no address: the peer is already known to be the daemon's user.
        const std::string& address = m_record.remote_addr;
        if (!address.empty() && !hook.allowed_ips().empty() && !IpAllowList(hook.allowed_ips()).allows(address))
            throw ApiError(403, "forbidden", "address " + address + " may not call this webhook");
        const std::string status = hook.entry.status();
        if (status == "disabled" || status == "broken")
            throw conflict("webhook '" + hook.id + "': flow '" + hook.entry.name + "' is " + status,
                           {{"flow", hook.entry.name}, {"status", status}});
        if (!hook.allows_method(http.method)) {
            std::string allowed;
            for (const auto& m : hook.methods()) allowed += (allowed.empty() ? "" : ", ") + m;
            m_res.set_header("Allow", allowed);
            throw ApiError(405, "method_not_allowed",
                           http.method + " is not allowed on " + hook.url_path() + " (allowed: " + allowed + ")",
                           {{"allowed", hook.methods()}});
        }
        if (http.body.size() > m_s.config.webhook_max_body_bytes)
            throw ApiError(413, "payload_too_large",
                           "the body is larger than webhook_max_body (" +
                               std::to_string(m_s.config.webhook_max_body_bytes) + " bytes)",
                           {{"max_bytes", m_s.config.webhook_max_body_bytes}});
        if (hook.is_signed()) check_signature(hook);

        store::Store& store = m_s.stores.local();
        const std::string& delivery = m_record.delivery_id;
        if (!delivery.empty()) {
            if (auto earlier = store.find_delivery(hook.id, delivery, m_record.received_ms - k_dedupe_window_ms))
                return answer_duplicate(hook, *earlier);
        }

        RunRequest run;
        run.flow = hook.entry.name;
        run.inputs = hook.spec.value("inputs", json::object());
        run.trigger = "webhook";
        run.trigger_data = trigger_data(hook, m_req, delivery);
        if (!delivery.empty()) {
            // Checked again inside the transaction: two deliveries of one id at once start one run.
            run.record = [&hook, &delivery, received = m_record.received_ms](store::Store& tx,
                                                                             const Submission& submission) {
                if (auto earlier = tx.find_delivery(hook.id, delivery, received - k_dedupe_window_ms))
                    throw DuplicateDelivery{*earlier};
                tx.record_delivery(hook.id, delivery, submission.execution_id, received);
            };
        }
        Submission submission;
        try {
            submission = m_s.executions.submit(std::move(run));
        } catch (const DuplicateDelivery& d) {
            return answer_duplicate(hook, d.execution_id);
        }
        m_record.execution_id = submission.execution_id;
        if (submission.skipped) {
            throw ApiError(409, "concurrency_limit",
                           "flow '" + hook.entry.name + "' did not start: " + submission.reason,
                           {{"execution_id", submission.execution_id},
                            {"reason", submission.reason},
                            {"active", submission.active}});
        }
        m_record.status = answer_with_execution(m_s, hook, m_req, m_res, submission.execution_id);
        save();
    }

    void check_signature(const Hook& hook) {
        const auto& http = m_req.http;
        const std::string secret = hook.spec.contains("secret")
                                       ? hook.spec["secret"].get<std::string>()
                                       : read_secret_file(hook.spec["secret_file"].get<std::string>());
        const std::string signature = http.get_header_value("X-Signature-256");
        const std::string timestamp = http.get_header_value("X-Timestamp");
        SignedRequest signed_request{secret, http.body, signature, timestamp, hook.tolerance(), util::now_ms() / 1000};
        if (auto problem = signature_problem(signed_request)) throw ApiError(401, "unauthorized", *problem);
    }

    void answer_duplicate(const Hook& hook, const std::string& execution_id) {
        m_record.execution_id = execution_id;
        m_record.status = answer_with_execution(m_s, hook, m_req, m_res, execution_id);
        m_res.set_header("X-Duplicate", "true");
        save();
    }

    void fail(const ApiError& e) {
        m_record.status = e.status;
        m_record.error = e.what();
        reply_error(m_res, m_req, e);
        save();
    }

    void save() {
        try {
            m_s.stores.local().insert_webhook_request(m_record);
        } catch (const std::exception& e) {
            // The answer stands; only the statistics miss it.
            spdlog::error("webhook {}: request not recorded: {}", m_record.hook_id, e.what());
        }
    }

    Services& m_s;
    Request& m_req;
    httplib::Response& m_res;
    store::WebhookRequestRecord m_record;
};

json request_json(const store::WebhookRequestRecord& r) {
    return {{"time", time_or_null(r.received_ms)},
            {"status", r.status},
            {"remote_addr", r.remote_addr},
            {"user_agent", r.user_agent},
            {"delivery_id", r.delivery_id},
            {"execution_id", r.execution_id},
            {"error", r.error}};
}

json hook_json(const Hook& hook, const store::WebhookStats& stats) {
    return {{"id", hook.id},
            {"flow", hook.entry.name},
            {"url_path", hook.url_path()},
            {"methods", hook.methods()},
            {"response", hook.sync() ? "sync" : "async"},
            {"signed", hook.is_signed()},
            {"allowed_ips", hook.allowed_ips()},
            {"stats",
             {{"total", stats.total},
              {"accepted", stats.accepted},
              {"rejected", stats.rejected},
              {"succeeded", stats.succeeded},
              {"failed", stats.failed}}},
            {"last_request", stats.last ? request_json(*stats.last) : json(nullptr)}};
}

void list_hooks(Services& s, httplib::Response& res) {
    const auto stats = s.stores.local().webhook_stats();
    json out = json::array();
    for (const auto& hook : all_hooks(s.flows)) {
        auto found = stats.find(hook.id);
        out.push_back(hook_json(hook, found != stats.end() ? found->second : store::WebhookStats{}));
    }
    reply(res, 200, {{"webhooks", out}});
}

void show_hook(Services& s, Request& req, httplib::Response& res) {
    const Hook hook = find_hook(s.flows, req.path_params.at("id"));
    auto& store = s.stores.local();
    const auto stats = store.webhook_stats();
    auto found = stats.find(hook.id);
    json out = hook_json(hook, found != stats.end() ? found->second : store::WebhookStats{});
    json recent = json::array();
    for (const auto& r : store.webhook_requests(hook.id, k_recent_requests)) recent.push_back(request_json(r));
    out["recent"] = std::move(recent);
    reply(res, 200, out);
}

}  // namespace

void add_webhook_routes(Router& router, Services& s) {
    for (const char* method : {"POST", "PUT", "PATCH", "GET"}) {
        router.add(
            {method, "/hooks/{id}", Scope::none, [&s](Request& req, auto& res) { HookCall(s, req, res).handle(); }});
    }
    router.add({"GET", "/api/v1/webhooks", Scope::read, [&s](Request&, auto& res) { list_hooks(s, res); }});
    router.add(
        {"GET", "/api/v1/webhooks/{id}", Scope::read, [&s](Request& req, auto& res) { show_hook(s, req, res); }});
}

}  // namespace flowctl::daemon
