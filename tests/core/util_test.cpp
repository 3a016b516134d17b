// core/util: the small pieces every layer shares.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "core/model/file_digest.hpp"
#include "core/util/backoff.hpp"
#include "core/util/path_tree.hpp"

namespace vibed {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

TEST(PathTree, RelativeBelowIsStrictlyInsideByWholeComponents) {
    EXPECT_EQ(util::relative_below("/music/rock/a.mp3", "/music"), fs::path("rock/a.mp3"));
    EXPECT_EQ(util::relative_below("/music/rock/a.mp3", "/music/"), fs::path("rock/a.mp3"));
    EXPECT_EQ(util::relative_below("/music/..hidden/a.mp3", "/music"), fs::path("..hidden/a.mp3"));
    EXPECT_FALSE(util::relative_below("/music", "/music"));
    EXPECT_FALSE(util::relative_below("/music/", "/music"));
    EXPECT_FALSE(util::relative_below("/musicals/a.mp3", "/music"));
    EXPECT_FALSE(util::relative_below("/other/a.mp3", "/music"));
    EXPECT_FALSE(util::relative_below("rock/a.mp3", "/music"));
}

TEST(Backoff, DoublesUpToItsLimitAndStartsOverAfterASuccess) {
    util::Backoff backoff(milliseconds(250), milliseconds(1000));
    EXPECT_EQ(backoff.delay(), milliseconds(250));
    EXPECT_EQ(backoff.failed(), milliseconds(250));
    EXPECT_EQ(backoff.failed(), milliseconds(500));
    EXPECT_EQ(backoff.failed(), milliseconds(1000));
    EXPECT_EQ(backoff.failed(), milliseconds(1000));
    backoff.succeeded();
    EXPECT_EQ(backoff.delay(), milliseconds(250));
}

TEST(Backoff, TheWaitAfterSomeFailuresInARow) {
    const util::Backoff backoff(milliseconds(5000), milliseconds(60'000));
    EXPECT_EQ(backoff.after(1), milliseconds(5000));
    EXPECT_EQ(backoff.after(2), milliseconds(10'000));
    EXPECT_EQ(backoff.after(4), milliseconds(40'000));
    EXPECT_EQ(backoff.after(5), milliseconds(60'000));
    EXPECT_EQ(backoff.after(1000), milliseconds(60'000));
}

class FileDigestTest : public ::testing::Test {
protected:
    void SetUp() override {
        folder_ = fs::temp_directory_path() / ("vibed-digest-" + std::to_string(::getpid()));
        fs::create_directories(folder_);
        file_ = folder_ / "model.pt";
        write("first version");
    }
    void TearDown() override { fs::remove_all(folder_); }
    void write(const std::string& text) { std::ofstream(file_, std::ios::binary) << text; }

    fs::path folder_;
    fs::path file_;
};

TEST_F(FileDigestTest, ARecordedDigestIsReusedOnlyWhileTheFileIsUnchanged) {
    const std::string real = core::sha256_file(file_);
    // A recorded digest that is not the file's own shows whether it was reused.
    const auto recorded = core::digest_of_current(file_, "recorded");
    ASSERT_TRUE(recorded);
    EXPECT_EQ(core::sha256_file_reusing(file_, recorded), "recorded");
    EXPECT_EQ(core::sha256_file_reusing(file_, std::nullopt), real);

    core::FileDigest elsewhere = *recorded;
    elsewhere.file = folder_ / "other.pt";
    EXPECT_EQ(core::sha256_file_reusing(file_, elsewhere), real);

    write("a second, longer version");
    EXPECT_EQ(core::sha256_file_reusing(file_, recorded), core::sha256_file(file_));
    EXPECT_FALSE(core::digest_of_current(folder_ / "missing.pt", "x"));
}

}  // namespace
}  // namespace vibed
