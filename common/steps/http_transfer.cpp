#include "steps/http_transfer.hpp"

#include <algorithm>
#include <cctype>

namespace flowctl::steps::http {

size_t on_body(char* ptr, size_t size, size_t nmemb, void* user) {
    auto* body = static_cast<Body*>(user);
    size_t n = size * nmemb;
    size_t room = body->cap > body->data.size() ? body->cap - body->data.size() : 0;
    if (n > room) {
        body->truncated = true;
    }
    body->data.append(ptr, std::min(n, room));
    return n;  // keep reading to the end, so the status and timing stay meaningful
}

std::string trim(std::string_view s) {
    size_t b = 0;
    size_t e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) {
        ++b;
    }
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) {
        --e;
    }
    return std::string(s.substr(b, e - b));
}

size_t on_header(char* ptr, size_t size, size_t nmemb, void* user) {
    auto* headers = static_cast<Headers*>(user);
    size_t n = size * nmemb;
    std::string_view line(ptr, n);
    if (line.starts_with("HTTP/")) {
        headers->list.clear();  // a new response (after a redirect or 100 Continue)
        return n;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
        return n;
    }
    std::string name = trim(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    headers->list.emplace_back(std::move(name), trim(line.substr(colon + 1)));
    return n;
}

json headers_to_json(const Headers& headers) {
    json out = json::object();
    for (const auto& [name, value] : headers.list) {
        if (out.contains(name)) {
            out[name] = out[name].get<std::string>() + ", " + value;
        } else {
            out[name] = value;
        }
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

/// The handles of one request, released in the right order whatever happens.
Transfer::Transfer(const curl::Api& api) : m_api(api), m_easy(api.easy_init()) {}

Transfer::~Transfer() {
    if (m_multi != nullptr) {
        if (m_added) {
            m_api.multi_remove_handle(m_multi, m_easy);
        }
        m_api.multi_cleanup(m_multi);
    }
    if (m_easy != nullptr) {
        m_api.easy_cleanup(m_easy);
    }
    m_api.slist_free_all(m_headers);
}

void Transfer::add_header(const std::string& line) { m_headers = m_api.slist_append(m_headers, line.c_str()); }

std::string Transfer::escape(const std::string& text) const {
    char* out = m_api.easy_escape(m_easy, text.data(), static_cast<int>(text.size()));
    if (out == nullptr) {
        return {};
    }
    std::string s(out);
    m_api.free(out);
    return s;
}

std::optional<CURLcode> Transfer::perform(const util::CancelToken* cancel, std::string* error) {
    m_multi = m_api.multi_init();
    if (m_multi == nullptr || m_api.multi_add_handle(m_multi, m_easy) != CURLM_OK) {
        *error = "could not set up the HTTP transfer";
        return CURLE_FAILED_INIT;
    }
    m_added = true;
    for (;;) {
        int running = 0;
        if (CURLMcode mc = m_api.multi_perform(m_multi, &running); mc != CURLM_OK) {
            *error = m_api.multi_strerror(mc);
            return CURLE_FAILED_INIT;
        }
        if (running == 0) {
            break;
        }
        curl_waitfd extra{};
        int nextra = 0;
        if (cancel != nullptr) {
            extra.fd = cancel->fd();
            extra.events = CURL_WAIT_POLLIN;
            nextra = 1;
        }
        // Sleeps until there is socket activity, one of curl's timers (including
        // CURLOPT_TIMEOUT_MS) is due, or the cancel token fires.
        if (CURLMcode mc = m_api.multi_poll(m_multi, nextra ? &extra : nullptr, nextra, 1000, nullptr);
            mc != CURLM_OK) {
            *error = m_api.multi_strerror(mc);
            return CURLE_FAILED_INIT;
        }
        if (cancel != nullptr && cancel->cancelled()) {
            return std::nullopt;
        }
    }
    int left = 0;
    while (CURLMsg* msg = m_api.multi_info_read(m_multi, &left)) {
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == m_easy) {
            return msg->data.result;
        }
    }
    *error = "the HTTP transfer ended without a result";
    return CURLE_FAILED_INIT;
}

}  // namespace flowctl::steps::http
