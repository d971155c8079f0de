#pragma once
// libcurl, loaded with dlopen() on first use: linking it would cost every flowctl process
// the start-up time of its ~30 dependent libraries, while most flows make no HTTP call.
#include <curl/curl.h>

#include <string>

namespace flowctl::steps::curl {

/// The libcurl functions the http step uses. decltype() on the real prototypes keeps the
/// pointers' signatures checked against <curl/curl.h>.
struct Api {
    decltype(&::curl_easy_init) easy_init;
    decltype(&::curl_easy_cleanup) easy_cleanup;
    decltype(&::curl_easy_setopt) easy_setopt;
    decltype(&::curl_easy_getinfo) easy_getinfo;
    decltype(&::curl_easy_strerror) easy_strerror;
    decltype(&::curl_easy_escape) easy_escape;
    decltype(&::curl_free) free;
    decltype(&::curl_slist_append) slist_append;
    decltype(&::curl_slist_free_all) slist_free_all;
    decltype(&::curl_multi_init) multi_init;
    decltype(&::curl_multi_cleanup) multi_cleanup;
    decltype(&::curl_multi_add_handle) multi_add_handle;
    decltype(&::curl_multi_remove_handle) multi_remove_handle;
    decltype(&::curl_multi_perform) multi_perform;
    decltype(&::curl_multi_poll) multi_poll;
    decltype(&::curl_multi_info_read) multi_info_read;
    decltype(&::curl_multi_strerror) multi_strerror;
};

/// Loads libcurl once per process (thread-safe) and initialises it. Returns nullptr when it
/// cannot be loaded, with the reason (dlerror()) in *error.
const Api* load(std::string* error);

}  // namespace flowctl::steps::curl
