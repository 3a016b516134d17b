#include "core/model/attribute_model.hpp"

#include <ATen/Parallel.h>
#include <torch/script.h>

#include <mutex>

#include "core/model/file_digest.hpp"

namespace vibed::core {

struct AttributeModel::Module {
    torch::jit::Module scripted;
};

namespace {

void apply_thread_settings(const ModelOptions& options) {
    // at::set_num_threads is process-wide and may only be set reliably once,
    // before the first parallel operation.
    static std::once_flag once;
    std::call_once(once, [&] {
        at::set_num_threads(std::max(1, options.intra_op_threads));
        at::set_num_interop_threads(1);
    });
}

}  // namespace

AttributeModel::AttributeModel(std::filesystem::path file, std::string sha256, std::unique_ptr<Module> module)
    : file_(std::move(file)), sha256_(std::move(sha256)), module_(std::move(module)) {}

AttributeModel::~AttributeModel() = default;

std::shared_ptr<const AttributeModel> AttributeModel::load(const std::filesystem::path& file,
                                                           const ModelOptions& options) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) {
        throw ModelError(file.string() + ": model file not found");
    }
    apply_thread_settings(options);
    auto module = std::make_unique<Module>();
    try {
        module->scripted = torch::jit::load(file.string(), torch::kCPU);
    } catch (const c10::Error& e) {
        throw ModelError(file.string() + ": not a TorchScript model (" + e.what_without_backtrace() + ")");
    }
    module->scripted.eval();
    try {
        // Folding weights and batch norms into constants and fusing ops makes
        // the forward pass several times faster (VibeNet: 1.65 s -> 0.25 s per
        // 30 s clip on one thread). The result cannot be saved, so it is done
        // here at every load rather than in the exported file.
        torch::jit::Module frozen = torch::jit::freeze(module->scripted);
        module->scripted = torch::jit::optimize_for_inference(frozen);
    } catch (const c10::Error& e) {
        throw ModelError(file.string() + ": cannot prepare the model for inference (" + e.what_without_backtrace() + ")");
    }
    std::string digest = sha256_file(file);
    return std::shared_ptr<const AttributeModel>(new AttributeModel(file, std::move(digest), std::move(module)));
}

Logits AttributeModel::logits(const LogMel& clip) const {
    if (clip.frames == 0) throw ModelError(file_.string() + ": cannot run the model on an empty clip");
    c10::InferenceMode inference_guard;
    // from_blob does not copy; the clip outlives the forward pass.
    auto input = torch::from_blob(const_cast<float*>(clip.values.data()),
                                  {1, kMelBands, static_cast<std::int64_t>(clip.frames)}, torch::kFloat32);
    at::Tensor output;
    try {
        output = module_->scripted.forward({input}).toTensor().contiguous();
    } catch (const c10::Error& e) {
        throw ModelError(file_.string() + ": forward pass failed (" + e.what_without_backtrace() + ")");
    }
    if (output.numel() != static_cast<std::int64_t>(kAttributeCount)) {
        throw ModelError(file_.string() + ": model returned " + std::to_string(output.numel()) +
                         " values instead of " + std::to_string(kAttributeCount));
    }
    output = output.to(torch::kFloat32);
    Logits result{};
    std::copy_n(output.data_ptr<float>(), kAttributeCount, result.begin());
    return result;
}

}  // namespace vibed::core
