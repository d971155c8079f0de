// Google Benchmark micro-benchmarks of the hot paths: expressions, flow loading, history writes.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "expr/expr.hpp"
#include "flow/parser.hpp"
#include "store/store.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"

using namespace flowctl;

static void BM_ExprParse(benchmark::State& state) {
    for (auto _ : state) {
        auto e = expr::parse("steps.build.outputs.count > 3 && contains(inputs.tags, 'x') || failure()");
        benchmark::DoNotOptimize(e);
    }
}
BENCHMARK(BM_ExprParse);

static void BM_TemplateRender(benchmark::State& state) {
    json ctx = {{"inputs", {{"who", "world"}}}, {"steps", {{"a", {{"outputs", {{"n", 3}}}}}}}};
    auto t = expr::parse_template("Hello ${{ inputs.who }}, n=${{ steps.a.outputs.n + 1 }}");
    expr::EvalContext ec{&ctx, {}};
    for (auto _ : state) benchmark::DoNotOptimize(expr::render(*t, ec));
}
BENCHMARK(BM_TemplateRender);

static void BM_LoadFlow(benchmark::State& state) {
    std::string text = "name: b\nsteps:\n";
    for (int i = 0; i < state.range(0); ++i) {
        text += "  - id: s" + std::to_string(i) + "\n    log: step ${{ inputs.x }}\n";
        if (i) text += "    needs: s" + std::to_string(i - 1) + "\n";
    }
    text += "inputs:\n  x: {default: 1}\n";
    for (auto _ : state) {
        std::vector<util::Diagnostic> diags;
        benchmark::DoNotOptimize(flow::load_flow(text, "b.yaml", diags));
    }
    state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_LoadFlow)->Arg(10)->Arg(1000)->Arg(10000)->Complexity();

static void BM_StoreInsertExecution(benchmark::State& state) {
    auto dir = std::filesystem::temp_directory_path() / ("flowctl-bm-" + std::to_string(::getpid()));
    {
        store::Store store(dir);
        for (auto _ : state) {
            store::ExecutionRecord e;
            e.id = util::new_execution_id(util::now_ms());
            e.flow_name = "bench";
            e.status = "succeeded";
            store.insert_execution(e);
        }
    }
    std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreInsertExecution);
