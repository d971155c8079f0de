#pragma once
// The libcurl side of the http step: one transfer's handles, and the callbacks that collect
// the response. The transfer runs through a multi handle so that curl_multi_poll() can also
// wait on the cancel token's fd: cancelling interrupts a request at once instead of at
// libcurl's next progress callback (about once a second while a transfer is idle).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "steps/curl_api.hpp"
#include "util/cancel.hpp"
#include "util/json.hpp"

namespace flowctl::steps::http {

/// The response body, kept up to `cap` bytes; the rest is read and dropped.
struct Body {
    std::string data;
    size_t cap = 0;
    bool truncated = false;
};

/// Headers of the last response (those of redirects and "100 Continue" are dropped).
struct Headers {
    std::vector<std::pair<std::string, std::string>> list;  // lower-case name, value
};

/// CURLOPT_WRITEFUNCTION for a Body.
size_t on_body(char* ptr, size_t size, size_t nmemb, void* body);
/// CURLOPT_HEADERFUNCTION for Headers.
size_t on_header(char* ptr, size_t size, size_t nmemb, void* headers);
/// {name: value}; repeated headers joined with ", ".
json headers_to_json(const Headers& headers);

std::string trim(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

/// The handles of one request, released in the right order whatever happens.
class Transfer {
public:
    explicit Transfer(const curl::Api& api);
    ~Transfer();
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;

    CURL* easy() const { return m_easy; }  // nullptr when curl_easy_init failed
    void add_header(const std::string& line);
    curl_slist* headers() const { return m_headers; }
    /// URL-encoding (as curl_easy_escape).
    std::string escape(const std::string& text) const;

    /// Runs the request to completion or cancellation. Returns the transfer's CURLcode, or
    /// nullopt when cancelled; *error is set for failures outside the transfer itself.
    std::optional<CURLcode> perform(const util::CancelToken* cancel, std::string* error);

private:
    const curl::Api& m_api;
    CURL* m_easy = nullptr;
    CURLM* m_multi = nullptr;
    bool m_added = false;
    curl_slist* m_headers = nullptr;
};

}  // namespace flowctl::steps::http
