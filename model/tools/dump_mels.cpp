// dump_mels: `vibectl dump-mel` for thousands of files in one process.
//
// Starting vibectl costs about half a second of CPU (mostly loading LibTorch), while computing the
// features of a 30 s clip costs a few tens of milliseconds: dumping a corpus of thousands of clips
// one vibectl process at a time would spend most of its time starting. This tool calls the same
// front end (core::compute_file_log_mel: our decoders, resampler and log-mel) once per line and
// starts once. Reads "INPUT<TAB>OUTPUT.f32" lines on stdin, writes each (128, frames) row-major
// float32 matrix exactly as `vibectl dump-mel` does, and prints one line per input:
// "ok FRAMES" or "error MESSAGE".
#include <fstream>
#include <iostream>
#include <string>

#include "core/analysis/track_analyzer.hpp"

namespace {

void dump(const std::string& input, const std::string& output) {
    const vibed::core::LogMel mel = vibed::core::compute_file_log_mel(input);
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(mel.values.data()),
              static_cast<std::streamsize>(mel.values.size() * sizeof(float)));
    if (!out) throw std::runtime_error(output + ": cannot write");
    std::cout << "ok " << mel.frames << std::endl;
}

}  // namespace

int main() {
    std::string line;
    while (std::getline(std::cin, line)) {
        const auto tab = line.find('\t');
        if (tab == std::string::npos) {
            std::cout << "error expected INPUT<TAB>OUTPUT" << std::endl;
            continue;
        }
        try {
            dump(line.substr(0, tab), line.substr(tab + 1));
        } catch (const std::exception& error) {
            std::cout << "error " << error.what() << std::endl;
        }
    }
}
