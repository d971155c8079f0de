#include "steps/curl_api.hpp"

#include "steps/dynamic_library.hpp"

namespace flowctl::steps::curl {
namespace {

bool fill(Api& a, std::string& error) {
    SymbolLoader lib("libcurl.so.4");
    decltype(&::curl_global_init) global_init = nullptr;
    lib.get("curl_global_init", global_init)
        .get("curl_easy_init", a.easy_init)
        .get("curl_easy_cleanup", a.easy_cleanup)
        .get("curl_easy_setopt", a.easy_setopt)
        .get("curl_easy_getinfo", a.easy_getinfo)
        .get("curl_easy_strerror", a.easy_strerror)
        .get("curl_easy_escape", a.easy_escape)
        .get("curl_free", a.free)
        .get("curl_slist_append", a.slist_append)
        .get("curl_slist_free_all", a.slist_free_all)
        .get("curl_multi_init", a.multi_init)
        .get("curl_multi_cleanup", a.multi_cleanup)
        .get("curl_multi_add_handle", a.multi_add_handle)
        .get("curl_multi_remove_handle", a.multi_remove_handle)
        .get("curl_multi_perform", a.multi_perform)
        .get("curl_multi_poll", a.multi_poll)
        .get("curl_multi_info_read", a.multi_info_read)
        .get("curl_multi_strerror", a.multi_strerror);
    if (!lib.ok()) {
        error = lib.error();
        return false;
    }
    // curl_global_init is not thread-safe; here it runs exactly once, under call_once.
    if (CURLcode rc = global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
        error = "curl_global_init failed (" + std::to_string(static_cast<int>(rc)) + ")";
        return false;
    }
    return true;
}

}  // namespace

const Api* load(std::string* error) { return load_api_once<Api>(error, fill); }

}  // namespace flowctl::steps::curl
