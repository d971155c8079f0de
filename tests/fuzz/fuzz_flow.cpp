// libFuzzer target: any bytes given to load_flow must give a flow or diagnostics, never a
// crash, a hang or an exception.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "flow/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<flowctl::util::Diagnostic> diags;
    auto flow =
        flowctl::flow::load_flow(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml", diags);
    // The contract: no flow means at least one error, and a flow means none.
    if (flow.has_value() == flowctl::util::has_errors(diags)) std::abort();
    return 0;
}
