#pragma once
// The attribute model: a TorchScript network that turns a log-mel clip into
// seven logits. LibTorch stays hidden in a module loaded on first use
// (model_backend.hpp); nothing that includes this header links it.

#include <array>
#include <filesystem>
#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/features/log_mel.hpp"
#include "core/model/attributes.hpp"

namespace vibed::core {

class ModelBackend;

class ModelError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using Logits = std::array<float, kAttributeCount>;

// One forward pass: the logits and, from a model that has an analyse() method
// (the student, model/student/network.py), its embedding: the pooled
// activations its head reads, which describe the sound beyond the seven
// attributes. Empty for a model without that method (the VibeNet import).
struct ModelOutput {
    Logits logits{};
    std::vector<float> embedding;
};

struct ModelOptions {
    // Threads LibTorch may use inside one forward pass. The process-wide
    // setting is applied when the first model loads; workers scale out instead.
    int intra_op_threads = 1;
};

// Loaded once and shared by every worker thread: forward passes run in
// inference mode and never mutate the module, so concurrent calls are safe.
class AttributeModel {
public:
    // The file's identity and its network, loaded now. The first load in a
    // process loads LibTorch (about 0.6 s of CPU). Throws ModelError naming the
    // file when it is missing or not a usable model, or naming the module when
    // that cannot be loaded.
    static std::shared_ptr<const AttributeModel> load(const std::filesystem::path& file,
                                                      const ModelOptions& options = {});
    // The file's identity (sha256) now, its network on the first logits() or
    // ensure_loaded(): a daemon whose rescan finds nothing to analyse never
    // pays for LibTorch and the model (~0.6 s of CPU and ~150 MB). Throws
    // ModelError when the file is missing or unreadable.
    static std::shared_ptr<const AttributeModel> open(const std::filesystem::path& file,
                                                      const ModelOptions& options = {});
    ~AttributeModel();
    AttributeModel(const AttributeModel&) = delete;
    AttributeModel& operator=(const AttributeModel&) = delete;

    // Loads the network if it is not loaded yet (thread-safe; a failed load
    // throws ModelError and the next call tries again).
    void ensure_loaded() const;
    [[nodiscard]] bool loaded() const { return backend_.load(std::memory_order_acquire) != nullptr; }

    // Loads the network first if needed. Throws ModelError if loading or the
    // forward pass fails.
    [[nodiscard]] Logits logits(const LogMel& clip) const;
    // The logits and the embedding, in the same single pass.
    [[nodiscard]] ModelOutput analyse(const LogMel& clip) const;

    [[nodiscard]] const std::filesystem::path& file() const { return file_; }
    // Hex sha256 of the model file: the identity stored with every result.
    [[nodiscard]] const std::string& sha256() const { return sha256_; }

private:
    AttributeModel(std::filesystem::path file, std::string sha256, ModelOptions options);

    std::filesystem::path file_;
    std::string sha256_;
    ModelOptions options_;
    mutable std::mutex load_mutex_;
    mutable std::unique_ptr<const ModelBackend> owned_backend_;  // set once, under load_mutex_
    mutable std::atomic<const ModelBackend*> backend_{nullptr};  // owned_backend_, published
};

}  // namespace vibed::core
