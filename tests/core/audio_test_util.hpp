#pragma once
// Helpers shared by the audio_*_test.cpp suites.

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/audio/audio_decoder.hpp"
#include "core/audio/mono_stream.hpp"

namespace vibed::core::test {

// A file made by tests/fixtures/make_fixtures.sh.
inline std::filesystem::path fixture(const std::string& name) { return std::filesystem::path(VIBED_FIXTURE_DIR) / name; }

// Everything a MonoStream yields, read `chunk` samples at a time.
inline std::vector<float> read_all(MonoStream& stream, std::size_t chunk = 4096) {
    std::vector<float> all;
    std::vector<float> buffer(chunk);
    while (const std::size_t got = stream.read(buffer)) all.insert(all.end(), buffer.begin(), buffer.begin() + got);
    return all;
}

inline std::vector<float> read_all(const std::filesystem::path& path, std::size_t chunk = 4096) {
    MonoStream stream(path);
    return read_all(stream, chunk);
}

// Every interleaved frame a decoder yields.
inline std::vector<float> decode_all(AudioDecoder& decoder) {
    const auto channels = static_cast<std::size_t>(decoder.format().channels);
    std::vector<float> all;
    std::vector<float> buffer(1024 * channels);
    while (const std::size_t frames = decoder.read(buffer.data(), 1024))
        all.insert(all.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(frames * channels));
    return all;
}

// A fresh empty directory for one test, removed with the object.
class ScratchDir {
public:
    ScratchDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "vibed-audio-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

}  // namespace vibed::core::test
