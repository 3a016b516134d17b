// LibTorch lives in a module that AttributeModel loads on first use
// (core/model/attribute_model.cpp). These tests check that it is loaded only
// then, that a missing or broken module is a clear error, and the dlopen
// wrapper itself. The golden tests check that models predict through it.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/features/log_mel.hpp"
#include "core/model/attribute_model.hpp"
#include "core/model/model_locator.hpp"
#include "core/model/shared_library.hpp"
#include "tests/support/scratch_dir.hpp"

namespace vibed::core {
namespace {

namespace fs = std::filesystem;

bool libtorch_is_mapped() {
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);) {
        if (line.find("libtorch") != std::string::npos) return true;
    }
    return false;
}

// The module is loaded once per process, so whatever must see a process
// without it runs in a fresh one: the "threadsafe" death-test style re-executes
// this binary for the one test. `check` runs there and explains on stderr why
// it fails (the parent prints that).
void expect_in_fresh_process(const std::function<bool()>& check) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(std::exit(check() ? 0 : 1), testing::ExitedWithCode(0), "");
}

// Loads the bundled student with VIBED_TORCH_MODEL_MODULE set to `module`:
// the ModelError it gives, or "" when it loads.
std::string load_error_with_module(const std::string& module) {
    setenv("VIBED_TORCH_MODEL_MODULE", module.c_str(), 1);
    try {
        (void)AttributeModel::load(resolve_model(kDefaultModelName));
    } catch (const ModelError& e) {
        return e.what();
    }
    return "";
}

constexpr std::string_view kModuleHint = " (the module that runs models with LibTorch)";

// A module error: "<module>: <reason> (hint)", on one line.
bool is_module_error(const std::string& error, const std::string& module, std::string_view reason = "") {
    const bool matches = error.starts_with(module + ": " + std::string(reason)) && error.ends_with(kModuleHint) &&
                         error.find('\n') == std::string::npos;
    if (!matches) std::cerr << "unexpected error for " << module << ": '" << error << "'\n";
    return matches;
}

TEST(ModelModule, LibTorchIsLoadedOnlyWhenAModelIs) {
    expect_in_fresh_process([] {
        if (libtorch_is_mapped()) {
            std::cerr << "LibTorch was loaded before any model\n";
            return false;
        }
        const auto model = AttributeModel::load(resolve_model(kDefaultModelName));
        if (!libtorch_is_mapped()) {
            std::cerr << "a model loaded without LibTorch\n";
            return false;
        }
        const Logits logits = model->logits(compute_log_mel(std::vector<float>(kFeatureSampleRate, 0.1f)));
        return std::all_of(logits.begin(), logits.end(), [](float logit) { return std::isfinite(logit); });
    });
}

TEST(ModelModule, MissingModuleIsAOneLineErrorNamingIt) {
    expect_in_fresh_process([] {
        const std::string module = "/nonexistent/libvibed_torch_model.so";
        return is_module_error(load_error_with_module(module), module,
                               "cannot open shared object file: No such file or directory");
    });
}

TEST(ModelModule, FileThatIsNotALibraryIsAClearError) {
    expect_in_fresh_process([] {
        const test::ScratchDir dir;
        const std::string fake = dir / "libvibed_torch_model.so";
        std::ofstream(fake) << "not a shared library";
        return is_module_error(load_error_with_module(fake), fake);
    });
}

TEST(ModelModule, LibraryWithoutTheFactoryIsAClearError) {
    // Any real library that is not the module will do: the C maths library.
    expect_in_fresh_process([] {
        return is_module_error(load_error_with_module("libm.so.6"), "libm.so.6",
                               "exports no symbol vibed_create_model_backend");
    });
}

TEST(ModelModule, AWorkingModuleCanBeGivenExplicitly) {
    expect_in_fresh_process([] {
        unsetenv("VIBED_TORCH_MODEL_MODULE");
        const std::string error = load_error_with_module(torch_module_file());
        if (!error.empty()) std::cerr << error << '\n';
        return error.empty();
    });
}

TEST(ModelModule, TheBuildTreeModuleIsFoundWithoutOverride) {
    unsetenv("VIBED_TORCH_MODEL_MODULE");
    const fs::path module = torch_module_file();
    EXPECT_TRUE(fs::is_regular_file(module)) << module;
    EXPECT_TRUE(module.is_absolute()) << module;
}

TEST(SharedLibrary, FindsFunctionsAndNamesWhatIsMissing) {
    const SharedLibrary maths("libm.so.6");
    EXPECT_EQ(maths.function<double(double)>("cos")(0.0), 1.0);
    try {
        (void)maths.function<void()>("no_such_function");
        ADD_FAILURE() << "found a function that does not exist";
    } catch (const SharedLibraryError& e) {
        EXPECT_EQ(std::string(e.what()), "libm.so.6: exports no symbol no_such_function");
    }
    EXPECT_THROW(SharedLibrary("/nonexistent/libnothing.so"), SharedLibraryError);
}

}  // namespace
}  // namespace vibed::core
