#pragma once
// The seam between AttributeModel and the shared module that runs networks
// with LibTorch (core/model/torch_model.cpp, built as libvibed_torch_model.so).
// Only this interface and one factory function cross it, so that no other part
// of the program links LibTorch; attribute_model.cpp explains why.

#include "core/features/log_mel.hpp"
#include "core/model/attribute_model.hpp"

namespace vibed::core {

// One loaded network. Concurrent analyse() calls must be safe.
class ModelBackend {
public:
    virtual ~ModelBackend() = default;

    // The logits, and the embedding when the network has one. Throws
    // ModelError naming the model file if the forward pass fails.
    [[nodiscard]] virtual ModelOutput analyse(const LogMel& clip) const = 0;
};

// The factory's exported name, looked up with dlsym().
inline constexpr const char* kCreateModelBackendSymbol = "vibed_create_model_backend";

}  // namespace vibed::core

// The module's one entry point: loads a TorchScript file and prepares it for
// inference. Returns an owning pointer, never null. Throws ModelError naming the
// file; no LibTorch exception type ever leaves the module.
extern "C" vibed::core::ModelBackend* vibed_create_model_backend(const char* model_file,
                                                                 const vibed::core::ModelOptions* options);
