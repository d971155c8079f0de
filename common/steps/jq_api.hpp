#pragma once
// libjq, loaded with dlopen() on first use (see curl_api.hpp for why it is not linked).
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include <string>

// jv.h defines `static int jv_is_valid(jv)`, which calls jv_get_kind(); unoptimised builds
// emit that unused function and with it a link-time reference to libjq. Made `inline`, it is
// only emitted when used (it is not). The C headers jv.h includes are included above so the
// macro reaches jv.h alone.
#define static static inline
extern "C" {
#include <jq.h>
#include <jv.h>
}
#undef static

namespace flowctl::steps::jq {

/// The libjq functions the transform step uses, typed from the real prototypes.
struct Api {
    decltype(&::jq_init) init;
    decltype(&::jq_teardown) teardown;
    decltype(&::jq_set_error_cb) set_error_cb;
    decltype(&::jq_compile_args) compile_args;
    decltype(&::jq_start) start;
    decltype(&::jq_next) next;
    decltype(&::jq_halted) halted;
    decltype(&::jq_get_exit_code) get_exit_code;
    decltype(&::jq_get_error_message) get_error_message;
    decltype(&::jv_get_kind) get_kind;
    decltype(&::jv_copy) copy;
    decltype(&::jv_free) free;
    decltype(&::jv_invalid_has_msg) invalid_has_msg;
    decltype(&::jv_invalid_get_msg) invalid_get_msg;
    decltype(&::jv_string_value) string_value;
    decltype(&::jv_string_length_bytes) string_length_bytes;
    decltype(&::jv_dump_string) dump_string;
    decltype(&::jv_parse_sized) parse_sized;
};

/// Loads libjq once per process (thread-safe). Returns nullptr when it cannot be loaded,
/// with the reason (dlerror()) in *error.
const Api* load(std::string* error);

}  // namespace flowctl::steps::jq
