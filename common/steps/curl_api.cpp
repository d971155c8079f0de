#include "steps/curl_api.hpp"

#include <dlfcn.h>

#include <mutex>

namespace flowctl::steps::curl {
namespace {

struct Loaded {
    Api api{};
    bool ok = false;
    std::string error;
};

template <typename Fn>
bool resolve(void* lib, const char* name, Fn& out, std::string& error) {
    void* sym = dlsym(lib, name);
    if (sym == nullptr) {
        const char* why = dlerror();
        error = why != nullptr ? why : std::string("missing symbol ") + name;
        return false;
    }
    out = reinterpret_cast<Fn>(sym);
    return true;
}

Loaded load_once() {
    Loaded loaded;
    // Never dlclose()d: the library lives as long as the process, like a linked one.
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
        const char* why = dlerror();
        loaded.error = why != nullptr ? why : "dlopen(libcurl.so.4) failed";
        return loaded;
    }
    Api& a = loaded.api;
    std::string& e = loaded.error;
    decltype(&::curl_global_init) global_init = nullptr;
    bool ok = resolve(lib, "curl_global_init", global_init, e) &&
              resolve(lib, "curl_easy_init", a.easy_init, e) &&
              resolve(lib, "curl_easy_cleanup", a.easy_cleanup, e) &&
              resolve(lib, "curl_easy_setopt", a.easy_setopt, e) &&
              resolve(lib, "curl_easy_getinfo", a.easy_getinfo, e) &&
              resolve(lib, "curl_easy_strerror", a.easy_strerror, e) &&
              resolve(lib, "curl_easy_escape", a.easy_escape, e) &&
              resolve(lib, "curl_free", a.free, e) &&
              resolve(lib, "curl_slist_append", a.slist_append, e) &&
              resolve(lib, "curl_slist_free_all", a.slist_free_all, e) &&
              resolve(lib, "curl_multi_init", a.multi_init, e) &&
              resolve(lib, "curl_multi_cleanup", a.multi_cleanup, e) &&
              resolve(lib, "curl_multi_add_handle", a.multi_add_handle, e) &&
              resolve(lib, "curl_multi_remove_handle", a.multi_remove_handle, e) &&
              resolve(lib, "curl_multi_perform", a.multi_perform, e) &&
              resolve(lib, "curl_multi_poll", a.multi_poll, e) &&
              resolve(lib, "curl_multi_info_read", a.multi_info_read, e) &&
              resolve(lib, "curl_multi_strerror", a.multi_strerror, e);
    if (!ok) {
        return loaded;
    }
    // curl_global_init is not thread-safe; here it runs exactly once, under call_once.
    if (CURLcode rc = global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK) {
        loaded.error = "curl_global_init failed (" + std::to_string(static_cast<int>(rc)) + ")";
        return loaded;
    }
    loaded.ok = true;
    return loaded;
}

}  // namespace

const Api* load(std::string* error) {
    static std::once_flag once;
    static Loaded* loaded = nullptr;
    std::call_once(once, [] { loaded = new Loaded(load_once()); });
    if (!loaded->ok) {
        if (error != nullptr) {
            *error = loaded->error;
        }
        return nullptr;
    }
    return &loaded->api;
}

}  // namespace flowctl::steps::curl
