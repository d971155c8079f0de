#pragma once
// Libraries loaded with dlopen() on first use instead of being linked: libcurl and libjq pull
// in some thirty shared libraries that would cost every flowctl start-up ~4 ms.
#include <dlfcn.h>

#include <mutex>
#include <string>

namespace flowctl::steps {

/// dlopen()s a library (never closed: it then lives as long as the process, like a linked
/// one) and resolves symbols into typed function pointers; the first failure is kept.
class SymbolLoader {
public:
    explicit SymbolLoader(const char* soname) : m_lib(::dlopen(soname, RTLD_NOW | RTLD_LOCAL)) {
        if (!m_lib) set_error(std::string("dlopen(") + soname + ") failed");
    }

    template <typename Fn>
    SymbolLoader& get(const char* name, Fn& out) {
        if (!ok()) return *this;
        void* sym = ::dlsym(m_lib, name);
        if (!sym)
            set_error(std::string("missing symbol ") + name);
        else
            out = reinterpret_cast<Fn>(sym);
        return *this;
    }

    bool ok() const { return m_error.empty(); }
    const std::string& error() const { return m_error; }

private:
    void set_error(const std::string& fallback) {
        const char* why = ::dlerror();
        m_error = why ? why : fallback;
    }

    void* m_lib;
    std::string m_error;
};

/// Fills an API table once per process (thread-safe). Returns it, or nullptr with the error.
template <typename Api>
const Api* load_api_once(std::string* error, bool (*fill)(Api& api, std::string& error)) {
    struct Loaded {
        Api api{};
        bool ok = false;
        std::string error;
    };
    static std::once_flag once;
    static Loaded* loaded = nullptr;  // never freed: other threads may hold the table
    std::call_once(once, [fill] {
        loaded = new Loaded;
        loaded->ok = fill(loaded->api, loaded->error);
    });
    if (loaded->ok) return &loaded->api;
    if (error) *error = loaded->error;
    return nullptr;
}

}  // namespace flowctl::steps
