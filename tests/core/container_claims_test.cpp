// Containers state a length; the audio is what the stream holds (issue 19,
// item 9). Hostile files are made here from the real fixtures: an M4A whose
// mvhd/tkhd/mdhd claim 122 hours, an MP3 whose Info header claims as much,
// and chained Ogg files (links one after another). The analysis and the
// stored duration must follow the decoded data, never the claim.

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/analysis/track_analyzer.hpp"
#include "core/audio/ffmpeg_decoder.hpp"
#include "core/model/model_locator.hpp"
#include "core/tags/tag_reader.hpp"
#include "tests/core/audio_test_util.hpp"

namespace vibed::core {
namespace {

using Bytes = std::vector<unsigned char>;
constexpr std::uint64_t kClaimedSeconds = 122 * 3600;

Bytes read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& path, const Bytes& bytes) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
}

std::uint32_t get_be32(const Bytes& bytes, std::size_t at) {
    return static_cast<std::uint32_t>(bytes.at(at) << 24 | bytes.at(at + 1) << 16 | bytes.at(at + 2) << 8 | bytes.at(at + 3));
}

void put_be(Bytes& bytes, std::size_t at, std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i) bytes.at(at + i) = static_cast<unsigned char>(value >> (8 * (width - 1 - i)));
}

// Offset of the MP4 atom at `path` (e.g. {"moov", "trak", "mdia", "mdhd"}).
std::size_t find_atom(const Bytes& bytes, std::vector<std::string> path, std::size_t start = 0, std::size_t end = 0) {
    if (end == 0) end = bytes.size();
    for (std::size_t at = start; at + 8 <= end;) {
        const std::uint32_t size = get_be32(bytes, at);
        if (std::string(bytes.begin() + static_cast<std::ptrdiff_t>(at + 4), bytes.begin() + static_cast<std::ptrdiff_t>(at + 8)) == path.front()) {
            if (path.size() == 1) return at;
            path.erase(path.begin());
            return find_atom(bytes, path, at + 8, at + size);
        }
        if (size < 8) break;
        at += size;
    }
    throw std::runtime_error("no atom " + path.front());
}

// The fixture AAC M4A (moov after mdat, so growing moov moves no sample)
// with movie, track and media headers all claiming 122 hours; mdhd becomes
// version 1 (64-bit) since 122 h at 44.1 kHz does not fit 32 bits.
Bytes m4a_claiming_hours() {
    Bytes m4a = read_bytes(test::fixture("song-aac.m4a"));
    const std::size_t mvhd = find_atom(m4a, {"moov", "mvhd"});
    const std::uint32_t movie_scale = get_be32(m4a, mvhd + 20);
    put_be(m4a, mvhd + 24, kClaimedSeconds * movie_scale, 4);
    put_be(m4a, find_atom(m4a, {"moov", "trak", "tkhd"}) + 28, kClaimedSeconds * movie_scale, 4);
    const std::size_t mdhd = find_atom(m4a, {"moov", "trak", "mdia", "mdhd"});
    EXPECT_EQ(m4a.at(mdhd + 8), 0) << "ffmpeg writes a version 0 mdhd";
    const std::uint32_t media_scale = get_be32(m4a, mdhd + 20);
    Bytes version1(44, 0);
    put_be(version1, 0, 44, 4);
    std::copy_n("mdhd", 4, version1.begin() + 4);
    version1[8] = 1;
    put_be(version1, 28, media_scale, 4);
    put_be(version1, 32, kClaimedSeconds * media_scale, 8);
    std::copy_n(m4a.begin() + static_cast<std::ptrdiff_t>(mdhd + 28), 4, version1.begin() + 40);  // language
    for (const auto& parent : {std::vector<std::string>{"moov"}, {"moov", "trak"}, {"moov", "trak", "mdia"}}) {
        const std::size_t at = find_atom(m4a, parent);
        put_be(m4a, at, get_be32(m4a, at) + 12, 4);
    }
    m4a.erase(m4a.begin() + static_cast<std::ptrdiff_t>(mdhd), m4a.begin() + static_cast<std::ptrdiff_t>(mdhd + 32));
    m4a.insert(m4a.begin() + static_cast<std::ptrdiff_t>(mdhd), version1.begin(), version1.end());
    return m4a;
}

// The fixture MP3 with its LAME "Info" header claiming 122 hours of frames.
Bytes mp3_claiming_hours() {
    Bytes mp3 = read_bytes(test::fixture("song.mp3"));
    const std::string marker = "Info";
    const auto info = std::search(mp3.begin(), mp3.end(), marker.begin(), marker.end());
    EXPECT_NE(info, mp3.end());
    const auto at = static_cast<std::size_t>(info - mp3.begin());
    EXPECT_TRUE(get_be32(mp3, at + 4) & 1U) << "the frame count is present";
    put_be(mp3, at + 8, kClaimedSeconds * 44100 / 1152, 4);
    return mp3;
}

// Ogg pages carry a CRC (polynomial 0x04c11db7, no reflection, over the page
// with its CRC field zeroed).
std::uint32_t ogg_crc(const unsigned char* page, std::size_t size) {
    std::uint32_t crc = 0;
    for (std::size_t i = 0; i < size; ++i) {
        crc ^= static_cast<std::uint32_t>(page[i]) << 24;
        for (int bit = 0; bit < 8; ++bit) crc = (crc & 0x80000000U) ? (crc << 1) ^ 0x04c11db7U : crc << 1;
    }
    return crc;
}

// `ogg` as another logical stream: every page's serial number replaced and
// its CRC recomputed, so the two can be chained as the Ogg spec wants.
Bytes with_serial(Bytes ogg, std::uint32_t serial) {
    for (std::size_t at = 0; at + 27 <= ogg.size();) {
        EXPECT_EQ(std::string(ogg.begin() + static_cast<std::ptrdiff_t>(at), ogg.begin() + static_cast<std::ptrdiff_t>(at + 4)), "OggS");
        std::size_t size = 27 + ogg[at + 26];
        for (std::size_t lacing = 0; lacing < ogg[at + 26]; ++lacing) size += ogg[at + 27 + lacing];
        for (int i = 0; i < 4; ++i) ogg[at + 14 + i] = static_cast<unsigned char>(serial >> (8 * i));
        for (int i = 0; i < 4; ++i) ogg[at + 22 + i] = 0;
        const std::uint32_t crc = ogg_crc(&ogg[at], size);
        for (int i = 0; i < 4; ++i) ogg[at + 22 + i] = static_cast<unsigned char>(crc >> (8 * i));
        at += size;
    }
    return ogg;
}

Bytes chained(const std::string& first, const std::string& second) {
    Bytes ogg = read_bytes(test::fixture(first));
    const Bytes link = with_serial(read_bytes(test::fixture(second)), 0x5EC0'0D01U);
    ogg.insert(ogg.end(), link.begin(), link.end());
    return ogg;
}

std::shared_ptr<const AttributeModel> student() {
    static const auto model = AttributeModel::load(resolve_model(kDefaultModelName));
    return model;
}

TEST(ContainerClaims, AnM4aClaiming122HoursIsIndexedAtItsDecodedLength) {
    test::ScratchDir dir;
    write_bytes(dir / "liar.m4a", m4a_claiming_hours());
    // The claim is there: TagLib believes it.
    EXPECT_GT(read_tags(dir / "liar.m4a").duration_seconds, 100 * 3600.0);
    const TrackAnalysis honest = TrackAnalyzer(student()).analyze(test::fixture("song-aac.m4a"));
    const TrackAnalysis liar = TrackAnalyzer(student()).analyze(dir / "liar.m4a");
    EXPECT_NEAR(liar.tags.duration_seconds, 20.0, 0.1);
    EXPECT_NEAR(liar.audio_seconds, 20.0, 0.1);
    EXPECT_NEAR(liar.analysed_seconds, 20.0, 0.1);
    for (std::size_t i = 0; i < kAttributeCount; ++i) EXPECT_FLOAT_EQ(liar.attributes.at(i), honest.attributes.at(i));
}

// With excerpts the claim decides where to look: a stream that ends before
// the planned excerpts is analysed whole instead, at its real length.
TEST(ContainerClaims, ExcerptsPlannedOverAClaimedLengthFallBackToTheWholeStream) {
    test::ScratchDir dir;
    write_bytes(dir / "liar.mp3", mp3_claiming_hours());
    ASSERT_GT(*open_audio(dir / "liar.mp3")->format().frames, std::int64_t{100} * 3600 * 44100);
    AnalysisOptions options;
    options.front_end = front_end_named("excerpts");
    const TrackAnalysis liar = TrackAnalyzer(student(), options).analyze(dir / "liar.mp3");
    const TrackAnalysis whole = TrackAnalyzer(student()).analyze(dir / "liar.mp3");
    EXPECT_DOUBLE_EQ(liar.tags.duration_seconds, whole.audio_seconds);
    EXPECT_NEAR(liar.audio_seconds, 20.0, 0.1);
    EXPECT_NEAR(liar.analysed_seconds, 20.0, 0.1);
    for (std::size_t i = 0; i < kAttributeCount; ++i) EXPECT_FLOAT_EQ(liar.attributes.at(i), whole.attributes.at(i));
}

// libsndfile stops silently after a chained file's first link; every link is
// decoded (through FFmpeg, which follows the chain).
TEST(ContainerClaims, EveryLinkOfAChainedOggIsDecoded) {
    test::ScratchDir dir;
    write_bytes(dir / "twice.ogg", chained("song.ogg", "song.ogg"));
    auto once = open_audio(test::fixture("song.ogg"), Decoders::fastest);
    const std::size_t link_samples = test::decode_all(*once).size();
    auto twice = open_audio(dir / "twice.ogg");
    EXPECT_NE(dynamic_cast<FfmpegDecoder*>(twice.get()), nullptr);
    EXPECT_NEAR(static_cast<double>(test::decode_all(*twice).size()), 2.0 * link_samples, 2.0 * 2048);
    const TrackAnalysis analysis = TrackAnalyzer(student()).analyze(dir / "twice.ogg");
    EXPECT_NEAR(analysis.tags.duration_seconds, 40.0, 0.1);
    EXPECT_NEAR(analysis.analysed_seconds, 40.0, 0.1);
}

// A link in another rate and layout (20 s stereo 44.1 kHz, then a 1 s mono
// 16 kHz sine at -6 dB) is resampled to the first's rate and each output
// channel carries its mean: the 16 kHz signal ends with that sine at full level.
TEST(ContainerClaims, AChainedLinkInAnotherFormatIsConvertedNotDropped) {
    test::ScratchDir dir;
    write_bytes(dir / "mixed.ogg", chained("song.ogg", "tone-16k.ogg"));
    const std::vector<float> signal = test::read_all(dir / "mixed.ogg");
    EXPECT_NEAR(static_cast<double>(signal.size()) / 16000, 21.0, 0.05);
    double power = 0;
    const std::size_t tail = 8000;  // the tone's last half second, clear of its first link's edge
    for (std::size_t i = signal.size() - tail - 800; i < signal.size() - 800; ++i) power += signal[i] * signal[i];
    EXPECT_NEAR(std::sqrt(power / tail), 0.5 / std::sqrt(2.0), 0.02);
}

// MP3s joined end to end (`cat`, audiobook chapters): the first part's
// Xing/LAME header counts its own frames only. Every part is decoded; a part
// in another rate (here 16 kHz mono after 44.1 kHz stereo) ends the stream
// where it starts, without an error, as libsndfile ends it.
TEST(ContainerClaims, JoinedMp3sAreDecodedToTheEnd) {
    test::ScratchDir dir;
    Bytes twice = read_bytes(test::fixture("song.mp3"));
    const Bytes part = twice;
    twice.insert(twice.end(), part.begin(), part.end());
    write_bytes(dir / "twice.mp3", twice);
    const double once = static_cast<double>(test::read_all(test::fixture("song.mp3")).size());
    const double joined = static_cast<double>(test::read_all(dir / "twice.mp3").size());
    EXPECT_NEAR(joined, 2 * once, 0.1 * 16000);
    EXPECT_NEAR(TrackAnalyzer(student()).analyze(dir / "twice.mp3").tags.duration_seconds, 40.0, 0.1);

    Bytes mixed = part;
    const Bytes other = read_bytes(test::fixture("tagged.mp3"));
    mixed.insert(mixed.end(), other.begin(), other.end());
    write_bytes(dir / "mixed.mp3", mixed);
    EXPECT_NEAR(static_cast<double>(test::read_all(dir / "mixed.mp3").size()), once, 0.1 * 16000);
}

}  // namespace
}  // namespace vibed::core
