#include "core/callback_sender.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "steps/curl_api.hpp"

namespace flowctl::daemon {
namespace {

size_t discard_body(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

/// The handles of one POST, released in the right order whatever happens.
struct Handles {
    explicit Handles(const steps::curl::Api& api) : api(api), easy(api.easy_init()), multi(api.multi_init()) {}
    ~Handles() {
        if (multi && added) api.multi_remove_handle(multi, easy);
        if (multi) api.multi_cleanup(multi);
        if (easy) api.easy_cleanup(easy);
        api.slist_free_all(headers);
    }
    const steps::curl::Api& api;
    CURL* easy;
    CURLM* multi;
    curl_slist* headers = nullptr;
    bool added = false;
};

/// One attempt. Returns the failure ("" on a 2xx answer), or nullopt when `stop` fired.
/// The multi interface lets curl_multi_poll() wait on the stop token beside the socket.
std::optional<std::string> post_once(const steps::curl::Api& api, const std::string& url, const std::string& body,
                                     std::chrono::milliseconds timeout, const util::CancelToken& stop) {
    Handles h(api);
    if (!h.easy || !h.multi) return "could not set up the transfer";
    char curl_error[CURL_ERROR_SIZE] = {};
    h.headers = api.slist_append(h.headers, "Content-Type: application/json");
    api.easy_setopt(h.easy, CURLOPT_ERRORBUFFER, curl_error);
    api.easy_setopt(h.easy, CURLOPT_URL, url.c_str());
    api.easy_setopt(h.easy, CURLOPT_NOSIGNAL, 1L);
    api.easy_setopt(h.easy, CURLOPT_PROTOCOLS_STR, "http,https");
    api.easy_setopt(h.easy, CURLOPT_USERAGENT, "flowd");
    api.easy_setopt(h.easy, CURLOPT_HTTPHEADER, h.headers);
    api.easy_setopt(h.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    api.easy_setopt(h.easy, CURLOPT_POSTFIELDS, body.c_str());
    api.easy_setopt(h.easy, CURLOPT_WRITEFUNCTION, &discard_body);
    api.easy_setopt(h.easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    if (api.multi_add_handle(h.multi, h.easy) != CURLM_OK) return "could not set up the transfer";
    h.added = true;

    for (;;) {
        int running = 0;
        if (CURLMcode mc = api.multi_perform(h.multi, &running); mc != CURLM_OK) return api.multi_strerror(mc);
        if (running == 0) break;
        curl_waitfd extra{};
        extra.fd = stop.fd();
        extra.events = CURL_WAIT_POLLIN;
        if (CURLMcode mc = api.multi_poll(h.multi, &extra, 1, 1000, nullptr); mc != CURLM_OK)
            return api.multi_strerror(mc);
        if (stop.cancelled()) return std::nullopt;
    }
    int left = 0;
    while (CURLMsg* msg = api.multi_info_read(h.multi, &left)) {
        if (msg->msg != CURLMSG_DONE || msg->easy_handle != h.easy) continue;
        if (msg->data.result != CURLE_OK)
            return curl_error[0] ? std::string(curl_error) : std::string(api.easy_strerror(msg->data.result));
        long status = 0;
        api.easy_getinfo(h.easy, CURLINFO_RESPONSE_CODE, &status);
        if (status < 200 || status > 299) return "HTTP " + std::to_string(status);
        return std::string();
    }
    return "the transfer ended without a result";
}

}  // namespace

bool is_http_url(const std::string& url) {
    std::string head = url.substr(0, 8);
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    size_t scheme = head.starts_with("https://") ? 8 : head.starts_with("http://") ? 7 : 0;
    return scheme > 0 && url.size() > scheme && url[scheme] != '/';
}

CallbackSender::CallbackSender(CallbackPolicy policy) : m_policy(policy) {}

CallbackSender::~CallbackSender() { shutdown(std::chrono::steady_clock::now()); }

void CallbackSender::post(const std::string& url, std::string json_body) {
    std::unique_lock lock(m_mutex);
    if (m_closed) {
        spdlog::warn("callback to {} not sent: shutting down", url);
        return;
    }
    reap_locked(lock);
    auto job = m_jobs.emplace(m_jobs.end());
    job->thread = std::thread([this, job, url, body = std::move(json_body)] {
        send(url, body);
        std::lock_guard done_lock(m_mutex);
        job->done = true;
        m_cv.notify_all();
    });
}

void CallbackSender::send(const std::string& url, const std::string& body) {
    std::string error;
    const steps::curl::Api* api = steps::curl::load(&error);
    if (!api) {
        spdlog::warn("callback to {} not sent: libcurl: {}", url, error);
        return;
    }
    auto backoff = m_policy.backoff;
    for (int attempt = 1; attempt <= m_policy.attempts; ++attempt) {
        auto failure = post_once(*api, url, body, m_policy.timeout, m_stop);
        if (!failure) {
            spdlog::warn("callback to {} abandoned: shutting down", url);
            return;
        }
        if (failure->empty()) {
            spdlog::debug("callback to {} delivered (attempt {})", url, attempt);
            return;
        }
        if (attempt == m_policy.attempts) {
            spdlog::warn("callback to {} failed after {} attempts: {}", url, attempt, *failure);
            return;
        }
        spdlog::debug("callback to {} failed (attempt {}): {}", url, attempt, *failure);
        if (!m_stop.sleep_for(backoff.count())) return;
        backoff *= 2;
    }
}

void CallbackSender::reap_locked(std::unique_lock<std::mutex>&) {
    for (auto it = m_jobs.begin(); it != m_jobs.end();) {
        if (!it->done) {
            ++it;
            continue;
        }
        it->thread.join();  // it only has to return: it set `done` as its last act
        it = m_jobs.erase(it);
    }
}

void CallbackSender::shutdown(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(m_mutex);
    m_closed = true;
    auto all_done = [&] { return std::all_of(m_jobs.begin(), m_jobs.end(), [](const Job& j) { return j.done; }); };
    if (!m_cv.wait_until(lock, deadline, all_done)) {
        m_stop.cancel();
        m_cv.wait(lock, all_done);
    }
    reap_locked(lock);
}

size_t CallbackSender::in_flight() const {
    std::lock_guard lock(m_mutex);
    return static_cast<size_t>(std::count_if(m_jobs.begin(), m_jobs.end(), [](const Job& j) { return !j.done; }));
}

}  // namespace flowctl::daemon
