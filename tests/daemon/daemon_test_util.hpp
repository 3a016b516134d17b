#pragma once
// Helpers shared by the tests/daemon suites: a scratch folder per test and
// small file writers. Everything happens on the real file system.

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tests/support/scratch_dir.hpp"

namespace vibed::daemon::test {

using vibed::test::ScratchDir;

// Writes `content` to `file` (creating its folders), replacing what was there.
inline void write_file(const std::filesystem::path& file, const std::string& content = "not really audio") {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) throw std::runtime_error(file.string() + ": cannot write");
}

// Collects what the code under test logs (through spdlog's default logger)
// while the object lives, so tests can check the promised log lines.
class LogCapture {
public:
    LogCapture() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(lines_);
        sink->set_pattern("%l %v");
        auto logger = std::make_shared<spdlog::logger>("capture", sink);
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    [[nodiscard]] std::string text() const { return lines_.str(); }

private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream lines_;
};

// Runs `body` in a forked child and returns what it returned. For tests that
// must change who they are (drop root, enter a user namespace) without
// changing the test process. The child must stay single-threaded.
inline std::string run_in_child(const std::function<std::string()>& body) {
    int pipe_ends[2];
    if (pipe(pipe_ends) != 0) throw std::runtime_error("pipe failed");
    const pid_t child = fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
        close(pipe_ends[0]);
        std::string report;
        try {
            report = body();
        } catch (const std::exception& e) {
            report = std::string("exception: ") + e.what();
        }
        const auto written = write(pipe_ends[1], report.data(), report.size());
        _exit(written == static_cast<ssize_t>(report.size()) ? 0 : 1);  // no atexit handlers, no gtest teardown
    }
    close(pipe_ends[1]);
    std::string report;
    char buffer[4096];
    for (ssize_t n; (n = read(pipe_ends[0], buffer, sizeof buffer)) > 0;) report.append(buffer, static_cast<std::size_t>(n));
    close(pipe_ends[0]);
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("test child failed: " + report);
    return report;
}

}  // namespace vibed::daemon::test
