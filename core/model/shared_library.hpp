#pragma once
// A dlopen()ed shared library: the one place that speaks to libdl.

#include <filesystem>
#include <stdexcept>
#include <string>

namespace vibed::core {

class SharedLibraryError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class SharedLibrary {
public:
    // Opens `file` with every symbol resolved now (a missing dependency fails
    // here, not at some later call) and nothing exported to other libraries.
    // A name without '/' is searched for the way the dynamic linker does.
    // Throws SharedLibraryError "<file>: <dlerror's reason>".
    explicit SharedLibrary(std::filesystem::path file);
    ~SharedLibrary();
    SharedLibrary(const SharedLibrary&) = delete;
    SharedLibrary& operator=(const SharedLibrary&) = delete;

    // The function exported as `name`, of the caller's declared type (which the
    // library cannot check). Throws SharedLibraryError when there is none.
    template <typename Function>
    [[nodiscard]] Function* function(const char* name) const {
        return reinterpret_cast<Function*>(symbol(name));
    }

    [[nodiscard]] const std::filesystem::path& file() const { return file_; }

private:
    [[nodiscard]] void* symbol(const char* name) const;

    std::filesystem::path file_;
    void* handle_;
};

}  // namespace vibed::core
