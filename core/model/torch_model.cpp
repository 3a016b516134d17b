// The only file that includes LibTorch. It is built as a module of its own
// (libvibed_torch_model.so) that AttributeModel loads on first use; see
// attribute_model.cpp for why, and model_backend.hpp for the interface.

#include <ATen/Parallel.h>
#include <torch/script.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/model/model_backend.hpp"

namespace vibed::core {
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

// Runs one LibTorch step and turns whatever it throws into
// ModelError("<file>: <failure> (<LibTorch's reason>)"): LibTorch's exception
// types must not leave the module, whose callers know nothing of them.
template <typename Step>
auto translating_errors(const std::string& file, const char* failure, Step&& step) {
    const auto error = [&](const std::string& reason) { return ModelError(file + ": " + failure + " (" + reason + ")"); };
    try {
        return step();
    } catch (const c10::Error& e) {
        throw error(e.what_without_backtrace());
    } catch (const std::exception& e) {
        throw error(e.what());
    }
}

// The optional second method of a model file that also returns its embedding.
constexpr const char* kAnalyseMethod = "analyse";

class TorchModel final : public ModelBackend {
public:
    TorchModel(std::string file, torch::jit::Module scripted, bool has_analyse)
        : file_(std::move(file)), scripted_(std::move(scripted)), has_analyse_(has_analyse) {}

    [[nodiscard]] ModelOutput analyse(const LogMel& clip) const override {
        if (clip.frames == 0) throw ModelError(file_ + ": cannot run the model on an empty clip");
        c10::InferenceMode inference_guard;
        // from_blob does not copy; the clip outlives the forward pass.
        const auto input = torch::from_blob(const_cast<float*>(clip.values.data()),
                                            {1, kMelBands, static_cast<std::int64_t>(clip.frames)}, torch::kFloat32);
        ModelOutput result;
        if (has_analyse_) {
            const auto outputs = translating_errors(file_, "analyse() failed", [&] {
                return scripted_.get_method(kAnalyseMethod)({input}).toTuple();
            });
            if (outputs->elements().size() != 2) {
                throw ModelError(file_ + ": analyse() returned " + std::to_string(outputs->elements().size()) +
                                 " values instead of (logits, embedding)");
            }
            result.logits = logits_of(outputs->elements()[0].toTensor());
            const at::Tensor embedding = floats(outputs->elements()[1].toTensor());
            if (embedding.numel() == 0) throw ModelError(file_ + ": analyse() returned an empty embedding");
            result.embedding.assign(embedding.data_ptr<float>(), embedding.data_ptr<float>() + embedding.numel());
        } else {
            result.logits = logits_of(translating_errors(file_, "forward pass failed", [&] {
                return scripted_.forward({input}).toTensor();
            }));
        }
        return result;
    }

private:
    static at::Tensor floats(const at::Tensor& tensor) { return tensor.contiguous().to(torch::kFloat32); }

    [[nodiscard]] Logits logits_of(const at::Tensor& tensor) const {
        const at::Tensor output = floats(tensor);
        if (output.numel() != static_cast<std::int64_t>(kAttributeCount)) {
            throw ModelError(file_ + ": model returned " + std::to_string(output.numel()) + " values instead of " +
                             std::to_string(kAttributeCount));
        }
        Logits logits{};
        std::copy_n(output.data_ptr<float>(), kAttributeCount, logits.begin());
        return logits;
    }

    std::string file_;
    // forward() is not const-qualified, yet in inference mode it does not
    // change the frozen module, so concurrent calls are safe.
    mutable torch::jit::Module scripted_;
    bool has_analyse_;
};

}  // namespace
}  // namespace vibed::core

extern "C" vibed::core::ModelBackend* vibed_create_model_backend(const char* model_file,
                                                                 const vibed::core::ModelOptions* options) {
    using vibed::core::translating_errors;
    const std::string file = model_file;
    vibed::core::apply_thread_settings(*options);
    torch::jit::Module scripted = translating_errors(file, "not a TorchScript model", [&] {
        return torch::jit::load(file, torch::kCPU);
    });
    scripted.eval();
    const bool has_analyse = scripted.find_method(vibed::core::kAnalyseMethod).has_value();
    // Freezing keeps only forward() unless told otherwise.
    std::vector<std::string> other_methods;
    if (has_analyse) other_methods.emplace_back(vibed::core::kAnalyseMethod);
    // Folding weights and batch norms into constants and fusing ops makes the
    // forward pass several times faster (VibeNet: 1.65 s -> 0.25 s per 30 s
    // clip on one thread). The result cannot be saved, so it is done here at
    // every load rather than in the exported file.
    scripted = translating_errors(file, "cannot prepare the model for inference", [&] {
        torch::jit::Module frozen = torch::jit::freeze(scripted, other_methods);
        return torch::jit::optimize_for_inference(frozen, other_methods);
    });
    return new vibed::core::TorchModel(file, std::move(scripted), has_analyse);
}
