#include "core/model/attribute_model.hpp"

#include <system_error>

#include "core/model/file_digest.hpp"
#include "core/model/model_backend.hpp"
#include "core/model/model_locator.hpp"
#include "core/model/shared_library.hpp"

namespace vibed::core {

namespace {

// Why LibTorch lives in a module loaded on demand instead of being linked:
// Debian's libtorch 1.13 drags in OpenCV and ~280 shared libraries, and loading
// them plus their static initialisers costs every process about 0.6 s of CPU
// and 0.9 s of wall time at start-up (an empty main() linked with LibTorch takes
// 0.9 s; linked with FFmpeg, TagLib, mpg123, sndfile and soxr, 0.00 s). Only
// `vibectl analyze` and vibed run a model; `vibectl playlist`, the command
// users type every day, paid that second for nothing while LibTorch was linked.
class TorchModule {
public:
    explicit TorchModule(std::filesystem::path file)
        : library_(std::move(file)),
          create_(library_.function<decltype(vibed_create_model_backend)>(kCreateModelBackendSymbol)) {}

    [[nodiscard]] std::unique_ptr<const ModelBackend> create(const std::filesystem::path& model,
                                                             const ModelOptions& options) const {
        return std::unique_ptr<const ModelBackend>(create_(model.c_str(), &options));
    }

private:
    SharedLibrary library_;
    decltype(vibed_create_model_backend)* create_;
};

// Loaded once per process, by whichever thread needs it first (a function-local
// static is initialised exactly once, thread-safely); it is never unloaded. A
// failed load throws and leaves the next call to try again.
const TorchModule& torch_module() {
    try {
        static const TorchModule module(torch_module_file());
        return module;
    } catch (const SharedLibraryError& e) {
        throw ModelError(std::string(e.what()) + " (the module that runs models with LibTorch)");
    }
}

}  // namespace

AttributeModel::AttributeModel(std::filesystem::path file, std::string sha256, ModelOptions options)
    : file_(std::move(file)), sha256_(std::move(sha256)), options_(options) {}

AttributeModel::~AttributeModel() = default;

std::shared_ptr<const AttributeModel> AttributeModel::open(const std::filesystem::path& file,
                                                           const ModelOptions& options) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) {
        throw ModelError(file.string() + ": model file not found");
    }
    std::string digest;
    try {
        digest = sha256_file(file);
    } catch (const std::exception& e) {
        throw ModelError(e.what());
    }
    return std::shared_ptr<const AttributeModel>(new AttributeModel(file, std::move(digest), options));
}

std::shared_ptr<const AttributeModel> AttributeModel::load(const std::filesystem::path& file,
                                                           const ModelOptions& options) {
    auto model = open(file, options);
    model->ensure_loaded();
    return model;
}

void AttributeModel::ensure_loaded() const {
    if (loaded()) return;
    std::lock_guard lock(load_mutex_);
    if (owned_backend_) return;
    owned_backend_ = torch_module().create(file_, options_);
    backend_.store(owned_backend_.get(), std::memory_order_release);
}

Logits AttributeModel::logits(const LogMel& clip) const { return analyse(clip).logits; }

ModelOutput AttributeModel::analyse(const LogMel& clip) const {
    const ModelBackend* backend = backend_.load(std::memory_order_acquire);
    if (backend == nullptr) {
        ensure_loaded();
        backend = backend_.load(std::memory_order_acquire);
    }
    return backend->analyse(clip);
}

}  // namespace vibed::core
