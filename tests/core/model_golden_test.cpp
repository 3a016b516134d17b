// The whole front end plus a model against logits computed in Python on the
// same samples: VibeNet's own package for the imported teacher
// (tests/golden/model_*.json), PyTorch for the bundled student
// (tests/golden/student_*.json). An accidental change to either shows up here.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/features/log_mel.hpp"
#include "core/model/attribute_model.hpp"
#include "core/model/model_locator.hpp"

namespace vibed::core {
namespace {

namespace fs = std::filesystem;

const fs::path kGolden = fs::path(VIBED_SOURCE_DIR) / "tests/golden";
// Float32 convolutions in two engines (onnxruntime, LibTorch) differ in the
// last bits; 1e-4 on logits is what the import itself is checked against.
constexpr float kLogitTolerance = 1e-4f;

std::vector<float> read_samples(const fs::path& file) {
    std::ifstream in(file, std::ios::binary | std::ios::ate);
    std::vector<float> samples(static_cast<std::size_t>(in.tellg()) / sizeof(float));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(samples.data()), static_cast<std::streamsize>(samples.size() * sizeof(float)));
    return samples;
}

std::vector<fs::path> golden_files(const std::string& prefix) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(kGolden)) {
        const auto name = entry.path().filename().string();
        if (name.starts_with(prefix) && entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

// The teacher is generated (model/import_vibenet.py), never committed:
// scripts/test.sh sets VIBED_REQUIRE_TEACHER so that CI cannot skip it.
std::shared_ptr<const AttributeModel> load_or_skip(std::string_view name) {
    try {
        return AttributeModel::load(resolve_model(name));
    } catch (const ModelError& e) {
        if (name == kTeacherModelName && std::getenv("VIBED_REQUIRE_TEACHER") == nullptr) return nullptr;
        throw;
    }
}

void check_golden(const AttributeModel& model, const fs::path& golden_file) {
    SCOPED_TRACE(golden_file.filename().string());
    const auto golden = nlohmann::json::parse(std::ifstream(golden_file));
    const LogMel mel = compute_log_mel(read_samples(kGolden / golden.at("input").get<std::string>()));
    const Logits logits = model.logits(mel);
    const auto expected = golden.at("logits").get<std::vector<float>>();
    ASSERT_EQ(expected.size(), kAttributeCount);
    for (std::size_t i = 0; i < kAttributeCount; ++i) {
        EXPECT_NEAR(logits[i], expected[i], kLogitTolerance) << kAttributeNames[i];
    }
}

TEST(ModelGolden, TeacherReproducesVibeNetsOwnPackage) {
    const auto model = load_or_skip(kTeacherModelName);
    if (!model) GTEST_SKIP() << "model/generated/vibenet.pt missing: run model/import_vibenet.py";
    const auto files = golden_files("model_");
    ASSERT_FALSE(files.empty());
    for (const auto& file : files) check_golden(*model, file);
}

TEST(ModelGolden, BundledStudentGivesItsRecordedOutputs) {
    const auto files = golden_files("student_");
    if (files.empty()) GTEST_SKIP() << "no student golden files (tests/golden/make_student_golden.py)";
    const auto model = load_or_skip(kDefaultModelName);
    for (const auto& file : files) {
        const auto recorded = nlohmann::json::parse(std::ifstream(file)).at("model_sha256").get<std::string>();
        ASSERT_EQ(model->sha256(), recorded)
            << "model/student.pt is not the model " << file.filename() << " was recorded with: if it was retrained "
            << "on purpose, re-run tests/golden/make_student_golden.py";
        check_golden(*model, file);
    }
}

TEST(ModelGolden, BundledStudentGivesItsRecordedEmbeddingInTheSamePassAsItsLogits) {
    const auto files = golden_files("embedding_");
    ASSERT_FALSE(files.empty()) << "no embedding golden files (tests/golden/make_student_golden.py)";
    const auto model = load_or_skip(kDefaultModelName);
    for (const auto& file : files) {
        SCOPED_TRACE(file.filename().string());
        const auto golden = nlohmann::json::parse(std::ifstream(file));
        ASSERT_EQ(model->sha256(), golden.at("model_sha256").get<std::string>());
        const LogMel mel = compute_log_mel(read_samples(kGolden / golden.at("input").get<std::string>()));
        const ModelOutput output = model->analyse(mel);
        EXPECT_EQ(output.logits, model->logits(mel));
        const auto expected = golden.at("embedding").get<std::vector<float>>();
        ASSERT_EQ(expected.size(), 512u);
        ASSERT_EQ(output.embedding.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            // Pooled activations are sums over many more products than a logit's inputs:
            // the same absolute bound, relative to values above 1.
            EXPECT_NEAR(output.embedding[i], expected[i], kLogitTolerance * std::max(1.0f, std::abs(expected[i]))) << i;
        }
    }
}

// A model with forward() only, like the VibeNet import: logits, no embedding.
TEST(ModelGolden, AModelWithoutAnalyseGivesLogitsAndNoEmbedding) {
    const auto model = AttributeModel::load(kGolden / "forward_only_model.pt");
    const LogMel mel = compute_log_mel(read_samples(kGolden / "mel_music_like_4s.in.f32"));
    const ModelOutput output = model->analyse(mel);
    EXPECT_TRUE(output.embedding.empty());
    // Its logits: 0.01 x the sum over bands of the mean log-mel, plus 0.1 x the attribute's index.
    double band_sum = 0;
    for (const float value : mel.values) band_sum += value;
    const double mean_sum = band_sum / static_cast<double>(mel.frames);
    for (std::size_t i = 0; i < kAttributeCount; ++i) {
        EXPECT_NEAR(output.logits[i], 0.01 * mean_sum + 0.1 * static_cast<double>(i), 1e-3) << kAttributeNames[i];
    }
}

TEST(ModelGolden, OneModelSharedByManyThreadsGivesTheSameAnswers) {
    auto model = load_or_skip(kTeacherModelName);
    if (!model) model = load_or_skip(kDefaultModelName);
    const auto files = golden_files("model_");
    ASSERT_FALSE(files.empty());
    const auto golden = nlohmann::json::parse(std::ifstream(files.front()));
    const LogMel mel = compute_log_mel(read_samples(kGolden / golden.at("input").get<std::string>()));
    const Logits alone = model->logits(mel);
    std::vector<Logits> results(4);
    {
        std::vector<std::jthread> threads;
        for (auto& result : results) {
            threads.emplace_back([&] {
                for (int repeat = 0; repeat < 3; ++repeat) result = model->logits(mel);
            });
        }
    }
    for (const auto& result : results) EXPECT_EQ(result, alone);
}

TEST(AttributeModel, MissingOrBogusFilesAreClearErrors) {
    EXPECT_THROW(AttributeModel::load("/nonexistent/model.pt"), ModelError);
    const fs::path bogus = fs::temp_directory_path() / "vibed-bogus-model.pt";
    std::ofstream(bogus) << "not a model";
    try {
        AttributeModel::load(bogus);
        ADD_FAILURE() << "a text file loaded as a model";
    } catch (const ModelError& e) {
        EXPECT_NE(std::string(e.what()).find(bogus.string()), std::string::npos) << e.what();
    }
    fs::remove(bogus);
}

}  // namespace
}  // namespace vibed::core
