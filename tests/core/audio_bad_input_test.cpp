// Bad input from issue 2: every case gives a clear AudioError naming the file
// and the reason, or a documented result (see docs/formats.md), never a crash
// or a hang.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <numbers>

#include "tests/core/audio_test_util.hpp"

namespace vibed::core {
namespace {

using test::fixture;
using test::read_all;
using test::ScratchDir;

// Opening or reading `path` fails with an AudioError that names the path and contains `reason`.
void expect_refused(const std::filesystem::path& path, const std::string& reason) {
    try {
        MonoStream stream(path);
        read_all(stream);
        ADD_FAILURE() << path << " decoded; expected: " << reason;
    } catch (const AudioError& error) {
        EXPECT_EQ(error.path(), path);
        EXPECT_EQ(std::string(error.what()).rfind(path.string() + ": ", 0), 0U) << error.what();
        EXPECT_NE(std::string(error.what()).find(reason), std::string::npos) << error.what();
        EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos) << "one line: " << error.what();
    }
}

void write_text(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }

TEST(BadInput, ZeroByteFile) { expect_refused(fixture("empty.mp3"), "empty file"); }

TEST(BadInput, TextFileNamedMp3) { expect_refused(fixture("text.mp3"), "not an MPEG audio stream"); }

TEST(BadInput, TextFileWithOtherNames) {
    ScratchDir dir;
    for (const char* name : {"notes.m4a", "notes.flac", "notes.wav", "notes"}) {
        write_text(dir / name, "Just some words, nothing to hear here.\n");
        expect_refused(dir / name, "not a recognised audio file");
    }
}

// A file that announces a format in its first bytes and then breaks off.
TEST(BadInput, FormatHeaderWithNothingAfterIt) {
    using namespace std::string_literals;
    ScratchDir dir;
    const std::pair<const char*, std::string> stubs[] = {
        {"stub.flac", "fLaC"s},
        {"stub.ogg", "OggS"s},
        {"stub.wav", "RIFF\x24\0\0\0WAVE"s},
        {"stub.m4a", "\0\0\0\x14" "ftypM4A \0\0\0\0"s},
        {"stub.mp3", "\xFF\xFB\x90\x64"s},  // one MPEG frame header, no frame
    };
    for (const auto& [name, head] : stubs) {
        std::ofstream(dir / name, std::ios::binary) << head;
        EXPECT_THROW(MonoStream(dir / name), AudioError) << name;
    }
}

// Truncated files (an interrupted copy): the part that is there is decoded,
// without an error, and it is the beginning of the full song.
class Truncated : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(Truncated, DecodesThePartThatIsThere) {
    const auto& [truncated, complete] = GetParam();
    const std::vector<float> part = read_all(fixture(truncated));
    const std::vector<float> whole = read_all(fixture(complete));
    // The fixture keeps half of the bytes: roughly half of the audio.
    EXPECT_GT(part.size(), whole.size() * 4 / 10);
    EXPECT_LT(part.size(), whole.size() * 6 / 10);
    // Away from the cut (the resampler's filter reaches ahead a little), the
    // samples are those of the complete file.
    const std::size_t compared = part.size() - 1000;
    EXPECT_TRUE(std::equal(part.begin(), part.begin() + static_cast<std::ptrdiff_t>(compared), whole.begin()));
}

// Where the cut falls decides how a decoder notices it (libsndfile's FLAC
// reports "lost sync" for some cuts and not for others); the result must not.
TEST(BadInput, CutAnywhereDecodesThePartThatIsThere) {
    ScratchDir dir;
    for (const char* name : {"song.flac", "song.mp3", "song.wv"}) {
        const std::vector<float> whole = read_all(fixture(name));
        std::ifstream in(fixture(name), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (const std::size_t cut : {bytes.size() / 3, bytes.size() / 2 + 1, bytes.size() / 2 + 17, bytes.size() * 2 / 3 + 5}) {
            const auto path = dir / ("cut-" + std::to_string(cut) + "-" + name);
            std::ofstream(path, std::ios::binary) << bytes.substr(0, cut);
            const double kept = static_cast<double>(cut) / static_cast<double>(bytes.size());
            EXPECT_NEAR(static_cast<double>(read_all(path).size()) / static_cast<double>(whole.size()), kept, 0.05) << path;
        }
    }
}

// Cut inside the first block (WavPack's are ~1 s): nothing can be decoded,
// and the reason says so (it read "demuxing failed (Input/output error)", or
// the file passed as silence).
TEST(BadInput, WavPackCutInsideItsFirstBlockSaysSo) {
    ScratchDir dir;
    std::ifstream in(fixture("song.wv"), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const std::size_t cut : {std::size_t{100}, std::size_t{5000}}) {
        const auto path = dir / ("cut-" + std::to_string(cut) + ".wv");
        std::ofstream(path, std::ios::binary) << bytes.substr(0, cut);
        expect_refused(path, "the file ends before its first complete wavpack packet (cut short)");
    }
}

// ffmpeg (like most encoders) writes an M4A's index, the moov atom, after
// the audio: a cut copy has audio and no way to find it. The reason says
// that, not "Invalid data found when processing input".
TEST(BadInput, M4aCutBeforeItsIndexSaysSo) {
    ScratchDir dir;
    std::ifstream in(fixture("song-aac.m4a"), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t moov = bytes.rfind("moov") - 4;
    ASSERT_GT(moov, bytes.size() / 2) << "the fixture's index follows its audio";
    std::ofstream(dir / "half.m4a", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    expect_refused(dir / "half.m4a", "an MP4 file cut short: its 'mdat' atom runs past the end");
    expect_refused(dir / "half.m4a", "the moov atom) is missing");
    std::ofstream(dir / "audio-only.m4a", std::ios::binary) << bytes.substr(0, moov);
    expect_refused(dir / "audio-only.m4a", "an MP4 file without its index (no moov atom)");
}

// A partial download into a preallocated file: good MP3 frames, then zeros
// to the file's full size. The frames are decoded; the zeros end the stream.
TEST(BadInput, Mp3FollowedByZerosDecodesItsFrames) {
    ScratchDir dir;
    const std::vector<float> whole = read_all(fixture("song-no-xing.mp3"));
    for (const std::uintmax_t zeros : {std::uintmax_t{2048}, std::uintmax_t{1} << 20, std::uintmax_t{16} << 20}) {
        const auto path = dir / ("zeros-" + std::to_string(zeros) + ".mp3");
        std::filesystem::copy_file(fixture("song-no-xing.mp3"), path);
        std::filesystem::resize_file(path, std::filesystem::file_size(path) + zeros);
        EXPECT_EQ(read_all(path), whole) << path;
    }
}

// Nothing but zeros named .mp3 (2 GB of them took a worker 4 minutes): refused
// after the first MiB, the bound for junk before the first frame.
TEST(BadInput, ZerosNamedMp3AreRefusedAfterTheFirstMiB) {
    ScratchDir dir;
    const auto path = dir / "preallocated.mp3";
    std::ofstream(path, std::ios::binary).close();
    std::filesystem::resize_file(path, std::uintmax_t{64} << 20);  // sparse: no disk used
    expect_refused(path, "not an MPEG audio stream (no frame in its first 1 MiB)");
}

INSTANTIATE_TEST_SUITE_P(Files, Truncated,
                         ::testing::Values(std::pair{"truncated.mp3", "song.mp3"},
                                           std::pair{"truncated.flac", "song.flac"}));

TEST(BadInput, WavWithHeaderButNoSamplesGivesNoSamples) {
    MonoStream stream(fixture("no-samples.wav"));
    EXPECT_EQ(stream.source_format().frames, 0);
    EXPECT_TRUE(read_all(stream).empty());
}

TEST(BadInput, ClipShorterThanOneWindow) {
    MonoStream stream(fixture("short.wav"));
    const double frames = static_cast<double>(*stream.source_format().frames);
    const std::vector<float> samples = read_all(stream);
    EXPECT_NEAR(static_cast<double>(samples.size()), frames * 16000 / 44100, 1.0);
    EXPECT_LT(samples.size(), 640U);
}

// 8 channels at 192 kHz, each a sine of amplitude A at a different pitch:
// the mean has 8 partials of amplitude A/8, so its RMS is A/8 * sqrt(8/2) = A/4.
TEST(BadInput, EightChannelsAt192kHz) {
    MonoStream stream(fixture("8ch-192k.wav"));
    EXPECT_EQ(stream.source_format().channels, 8);
    EXPECT_EQ(stream.source_format().sample_rate, 192000);
    const std::vector<float> samples = read_all(stream);
    ASSERT_EQ(samples.size(), 16000U);  // 1 s
    double energy = 0;
    for (const float sample : samples) energy += double(sample) * sample;
    const double amplitude = std::pow(10.0, -12.0 / 20);  // "gain -12" on full-scale sines
    EXPECT_NEAR(std::sqrt(energy / samples.size()), amplitude / 4, amplitude / 4 * 0.01);
}

TEST(BadInput, MissingFile) { expect_refused(fixture("no-such-file.mp3"), "No such file or directory"); }

TEST(BadInput, Directory) {
    ScratchDir dir;
    std::filesystem::create_directory(dir / "album.mp3");
    expect_refused(dir / "album.mp3", "is a directory");
}

// Opening a FIFO for reading normally blocks until a writer appears; it
// must be refused at once instead (a hang here fails the test by timeout).
TEST(BadInput, FifoIsRefusedWithoutBlocking) {
    ScratchDir dir;
    ASSERT_EQ(mkfifo((dir / "pipe.mp3").c_str(), 0600), 0) << std::strerror(errno);
    expect_refused(dir / "pipe.mp3", "is a FIFO");
}

TEST(BadInput, SocketIsRefused) {
    ScratchDir dir;
    const std::string path = (dir / "socket.mp3").string();
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    ASSERT_LT(path.size(), sizeof address.sun_path);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << std::strerror(errno);
    expect_refused(path, "is a socket");
    close(fd);
}

TEST(BadInput, DevicesAreRefused) {
    expect_refused("/dev/zero", "is a device");
    expect_refused("/dev/null", "is a device");
}

// Root (the test environment runs as root) reads files regardless of their
// permission bits, so the refusal can only be checked as an ordinary user.
TEST(BadInput, UnreadableFile) {
    if (geteuid() == 0) GTEST_SKIP() << "running as root: permission bits do not stop root";
    ScratchDir dir;
    std::filesystem::copy_file(fixture("song.mp3"), dir / "locked.mp3");
    std::filesystem::permissions(dir / "locked.mp3", std::filesystem::perms::none);
    expect_refused(dir / "locked.mp3", "Permission denied");
}

// Deleting or replacing a file that is being read: the open descriptor keeps
// the original contents alive, so the stream finishes the original file.
TEST(FileChangesMidRead, DeletedFileIsReadToTheEnd) {
    ScratchDir dir;
    std::filesystem::copy_file(fixture("song.mp3"), dir / "song.mp3");
    MonoStream stream(dir / "song.mp3");
    std::vector<float> first(50000);
    ASSERT_EQ(stream.read(first), first.size());
    std::filesystem::remove(dir / "song.mp3");
    std::vector<float> all = read_all(stream);
    all.insert(all.begin(), first.begin(), first.end());
    EXPECT_EQ(all, read_all(fixture("song.mp3")));
}

TEST(FileChangesMidRead, ReplacedFileIsReadAsOpened) {
    ScratchDir dir;
    std::filesystem::copy_file(fixture("song.flac"), dir / "song.flac");
    MonoStream stream(dir / "song.flac");
    std::vector<float> first(50000);
    ASSERT_EQ(stream.read(first), first.size());
    // How tag editors and sync tools replace files: write a new one, rename over.
    std::filesystem::copy_file(fixture("truncated.flac"), dir / "new.flac");
    std::filesystem::rename(dir / "new.flac", dir / "song.flac");
    std::vector<float> all = read_all(stream);
    all.insert(all.begin(), first.begin(), first.end());
    EXPECT_EQ(all, read_all(fixture("song.flac")));
}

// Truncated in place while being read (the one change an open descriptor does
// not shield from): the stream ends early or reports an error, never more.
TEST(FileChangesMidRead, FileTruncatedInPlace) {
    for (const char* name : {"song.wav", "song.mp3", "song.flac", "song-aac.m4a"}) {
        ScratchDir dir;
        std::filesystem::copy_file(fixture(name), dir / name);
        MonoStream stream(dir / name);
        std::vector<float> first(50000);
        ASSERT_EQ(stream.read(first), first.size());
        std::filesystem::resize_file(dir / name, std::filesystem::file_size(dir / name) / 4);
        try {
            EXPECT_LT(first.size() + read_all(stream).size(), 320000U) << name;
        } catch (const AudioError& error) {
            EXPECT_EQ(error.path(), dir / name);
        }
    }
}

}  // namespace
}  // namespace vibed::core
