// TagLib through read_tags(): every field from real tagged files, and broken
// or missing tags giving empty fields instead of errors.

#include <gtest/gtest.h>

#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>

#include "core/tags/tag_reader.hpp"

namespace vibed::core {
namespace {

const std::filesystem::path kFixtures = VIBED_FIXTURE_DIR;

class TaggedFile : public ::testing::TestWithParam<const char*> {};

TEST_P(TaggedFile, ReadsEveryField) {
    const TrackTags tags = read_tags(kFixtures / GetParam());
    EXPECT_EQ(tags.title, "Blue in Green");
    EXPECT_EQ(tags.artist, "Miles Davis");
    EXPECT_EQ(tags.album, "Kind of Blue");
    EXPECT_EQ(tags.album_artist, "Miles Davis Sextet");
    EXPECT_EQ(tags.genre, "Jazz");
    EXPECT_EQ(tags.year, 1959);
    EXPECT_EQ(tags.track_number, 3);
    EXPECT_NEAR(tags.duration_seconds, 1.0, 0.1);
}

INSTANTIATE_TEST_SUITE_P(Formats, TaggedFile, ::testing::Values("tagged.mp3", "tagged.flac", "tagged.m4a"));

TEST(TagReader, FileWithoutTagsGivesEmptyFieldsAndItsDuration) {
    const TrackTags tags = read_tags(kFixtures / "song.wav");
    EXPECT_TRUE(tags.title.empty());
    EXPECT_TRUE(tags.artist.empty());
    EXPECT_EQ(tags.year, 0);
    EXPECT_NEAR(tags.duration_seconds, 20.0, 0.1);
}

TEST(TagReader, BrokenInputNeverThrows) {
    for (const char* name : {"broken-tag.mp3", "empty.mp3", "text.mp3", "truncated.flac", "no-such-file.mp3"}) {
        SCOPED_TRACE(name);
        TrackTags tags;
        EXPECT_NO_THROW(tags = read_tags(kFixtures / name));
        EXPECT_TRUE(tags.title.empty());
    }
}

TEST(TagReader, OpensTheFileReadOnly) {
    // A read-write open shows up in inotify as a close-after-write, which
    // would make the daemon re-analyse the file forever. Watch and see.
    const auto folder = std::filesystem::temp_directory_path() / ("vibed-tags-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    const auto file = folder / "tagged.flac";
    std::filesystem::copy_file(kFixtures / "tagged.flac", file, std::filesystem::copy_options::overwrite_existing);
    const int inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ASSERT_GE(inotify, 0);
    ASSERT_GE(inotify_add_watch(inotify, folder.c_str(), IN_CLOSE_WRITE | IN_CLOSE_NOWRITE), 0);

    EXPECT_EQ(read_tags(file).title, "Blue in Green");

    alignas(inotify_event) char buffer[4096];
    const ssize_t length = ::read(inotify, buffer, sizeof buffer);
    ::close(inotify);
    std::filesystem::remove_all(folder);
    ASSERT_GT(length, 0) << "no close event at all";
    bool closed_without_write = false;
    for (ssize_t offset = 0; offset < length;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
        EXPECT_FALSE(event->mask & IN_CLOSE_WRITE) << "the file was opened for writing";
        closed_without_write |= (event->mask & IN_CLOSE_NOWRITE) != 0;
        offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
    EXPECT_TRUE(closed_without_write);
}

}  // namespace
}  // namespace vibed::core
