#include "steps/jq_api.hpp"

#include <dlfcn.h>

#include <mutex>

namespace flowctl::steps::jq {
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
    // Never dlclose()d: a transform abandoned on timeout may still be running in libjq.
    void* lib = dlopen("libjq.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
        const char* why = dlerror();
        loaded.error = why != nullptr ? why : "dlopen(libjq.so.1) failed";
        return loaded;
    }
    Api& a = loaded.api;
    std::string& e = loaded.error;
    loaded.ok = resolve(lib, "jq_init", a.init, e) && resolve(lib, "jq_teardown", a.teardown, e) &&
                resolve(lib, "jq_set_error_cb", a.set_error_cb, e) &&
                resolve(lib, "jq_compile_args", a.compile_args, e) &&
                resolve(lib, "jq_start", a.start, e) && resolve(lib, "jq_next", a.next, e) &&
                resolve(lib, "jq_halted", a.halted, e) &&
                resolve(lib, "jq_get_exit_code", a.get_exit_code, e) &&
                resolve(lib, "jq_get_error_message", a.get_error_message, e) &&
                resolve(lib, "jv_get_kind", a.get_kind, e) && resolve(lib, "jv_copy", a.copy, e) &&
                resolve(lib, "jv_free", a.free, e) &&
                resolve(lib, "jv_invalid_has_msg", a.invalid_has_msg, e) &&
                resolve(lib, "jv_invalid_get_msg", a.invalid_get_msg, e) &&
                resolve(lib, "jv_string_value", a.string_value, e) &&
                resolve(lib, "jv_string_length_bytes", a.string_length_bytes, e) &&
                resolve(lib, "jv_dump_string", a.dump_string, e) &&
                resolve(lib, "jv_parse_sized", a.parse_sized, e);
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

}  // namespace flowctl::steps::jq
