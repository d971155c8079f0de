#include "steps/jq_api.hpp"

#include "steps/dynamic_library.hpp"

namespace flowctl::steps::jq {
namespace {

bool fill(Api& a, std::string& error) {
    // Never dlclose()d: a transform abandoned on timeout may still be running in libjq.
    SymbolLoader lib("libjq.so.1");
    lib.get("jq_init", a.init)
        .get("jq_teardown", a.teardown)
        .get("jq_set_error_cb", a.set_error_cb)
        .get("jq_compile_args", a.compile_args)
        .get("jq_start", a.start)
        .get("jq_next", a.next)
        .get("jq_halted", a.halted)
        .get("jq_get_exit_code", a.get_exit_code)
        .get("jq_get_error_message", a.get_error_message)
        .get("jv_get_kind", a.get_kind)
        .get("jv_copy", a.copy)
        .get("jv_free", a.free)
        .get("jv_invalid_has_msg", a.invalid_has_msg)
        .get("jv_invalid_get_msg", a.invalid_get_msg)
        .get("jv_string_value", a.string_value)
        .get("jv_string_length_bytes", a.string_length_bytes)
        .get("jv_dump_string", a.dump_string)
        .get("jv_parse_sized", a.parse_sized);
    error = lib.error();
    return lib.ok();
}

}  // namespace

const Api* load(std::string* error) { return load_api_once<Api>(error, fill); }

}  // namespace flowctl::steps::jq
