#include "core/model/shared_library.hpp"

#include <dlfcn.h>

#include <string_view>

namespace vibed::core {

namespace {

// dlerror()'s text usually starts with the file name already; our messages
// start with it too, so it is not repeated.
std::string reason_without_file(std::string_view reason, const std::string& file) {
    const std::string prefix = file + ": ";
    if (reason.starts_with(prefix)) reason.remove_prefix(prefix.size());
    return std::string(reason);
}

}  // namespace

// RTLD_NODELETE: closing the handle never unmaps the code. Objects the library
// created can outlive the handle (a model held by a static is destroyed after
// it), and libraries like LibTorch keep worker threads running until exit.
SharedLibrary::SharedLibrary(std::filesystem::path file)
    : file_(std::move(file)), handle_(dlopen(file_.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)) {
    if (handle_ == nullptr) {
        const char* reason = dlerror();
        throw SharedLibraryError(file_.string() + ": " +
                                 (reason != nullptr ? reason_without_file(reason, file_.string()) : "cannot be loaded"));
    }
}

SharedLibrary::~SharedLibrary() { dlclose(handle_); }

void* SharedLibrary::symbol(const char* name) const {
    void* address = dlsym(handle_, name);
    // A null address is a failure too: we only look up functions.
    if (address == nullptr) {
        throw SharedLibraryError(file_.string() + ": exports no symbol " + name);
    }
    return address;
}

}  // namespace vibed::core
