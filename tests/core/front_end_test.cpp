// The front ends of core/analysis/front_end.hpp: which excerpts a long track
// is analysed over, that the student's sidecar names its front end (the fast
// decoders) and the teacher keeps VibeNet's, and that excerpts reached by
// seeking (WAV) and by reading through (ALAC, FFmpeg cannot seek here) give
// the same analysis.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <span>

#include "core/analysis/front_end.hpp"
#include "core/analysis/track_analyzer.hpp"
#include "core/audio/ffmpeg_decoder.hpp"
#include "core/audio/sndfile_decoder.hpp"
#include "core/model/model_locator.hpp"
#include "tests/core/audio_test_util.hpp"
#include "tests/core/feature_test_util.hpp"

namespace vibed::core {
namespace {

AudioFormat format_of(double seconds, int rate = 44100) {
    AudioFormat format;
    format.sample_rate = rate;
    format.channels = 2;
    format.frames = static_cast<std::int64_t>(seconds * rate);
    return format;
}

TEST(FrontEnd, VibeNetsAnalysesEverySample) {
    EXPECT_TRUE(front_end_named("vibenet").plan(format_of(3600)).empty());
}

TEST(FrontEnd, ExcerptsAreEvenlySpreadOverLongTracks) {
    const FrontEnd front_end = front_end_named("excerpts");
    ASSERT_EQ(front_end.excerpts, 6U);
    const auto excerpts = front_end.plan(format_of(240));
    ASSERT_EQ(excerpts.size(), 6U);
    for (std::size_t i = 0; i < excerpts.size(); ++i) {
        EXPECT_EQ(excerpts[i].frames, 15 * 44100);
        // Centred at 20 s, 60 s, ... 220 s.
        EXPECT_EQ(excerpts[i].first_frame + excerpts[i].frames / 2, static_cast<std::int64_t>((20 + 40 * i) * 44100));
    }
}

TEST(FrontEnd, ShortTracksAndUnknownLengthsAreAnalysedWhole) {
    const FrontEnd front_end = front_end_named("excerpts");
    EXPECT_TRUE(front_end.plan(format_of(30)).empty());
    EXPECT_TRUE(front_end.plan(format_of(134)).empty());  // 6 x 15 s x 1.5 = 135 s
    EXPECT_FALSE(front_end.plan(format_of(136)).empty());
    AudioFormat unknown = format_of(600);
    unknown.frames.reset();
    EXPECT_TRUE(front_end.plan(unknown).empty());
}

TEST(FrontEnd, UnknownNamesAndBadSpecsAreRefused) {
    EXPECT_THROW(front_end_named("fast"), std::invalid_argument);
    EXPECT_THROW(parse_excerpt_front_end("6"), std::invalid_argument);
    EXPECT_THROW(parse_excerpt_front_end("0x15"), std::invalid_argument);
    EXPECT_EQ(parse_excerpt_front_end("4x10").excerpts, 4U);
}

TEST(FrontEnd, TheSidecarNamesTheFrontEndAndNoSidecarMeansVibeNets) {
    // The bundled student's sidecar keeps every sample (excerpts agreed less with the teacher)
    // and takes the faster decoders for Ogg Vorbis and Opus.
    EXPECT_EQ(front_end_for_model(resolve_model(kDefaultModelName)).name, "fast-decoders");
    test::ScratchDir dir;
    std::ofstream(dir / "short.json") << R"({"file": "short.pt", "front_end": "excerpts"})";
    EXPECT_EQ(front_end_for_model(dir / "short.pt").name, "excerpts");
    // The teacher's export has no sidecar; nor has any model that says nothing.
    const auto bare = dir / "bare.pt";
    std::ofstream(bare) << "x";
    EXPECT_EQ(front_end_for_model(bare).name, "vibenet");
    std::ofstream(dir / "bad.json") << R"({"front_end": "nonsense"})";
    EXPECT_THROW(front_end_for_model(dir / "bad.pt"), std::runtime_error);
}

// 2 excerpts of 3 s of the 20 s fixture song: WAV seeks, ALAC (FFmpeg) reads
// through and discards. Lossless, so both must see the same samples.
TEST(FrontEnd, SeekingAndReadingThroughGiveTheSameAnalysis) {
    AnalysisOptions options;
    options.front_end = parse_excerpt_front_end("2x3");
    const TrackAnalyzer analyzer(AttributeModel::load(resolve_model(kDefaultModelName)), options);
    const TrackAnalysis by_seeking = analyzer.analyze(test::fixture("song.wav"));
    const TrackAnalysis reading_through = analyzer.analyze(test::fixture("song-alac.m4a"));
    EXPECT_EQ(by_seeking.segments, 1U);  // the excerpts joined into one clip
    EXPECT_NEAR(by_seeking.analysed_seconds, 6.0, 0.01);
    EXPECT_NEAR(by_seeking.audio_seconds, 20.0, 0.01);
    for (std::size_t i = 0; i < kAttributeCount; ++i) {
        EXPECT_FLOAT_EQ(by_seeking.attributes.at(i), reading_through.attributes.at(i)) << kAttributeNames[i];
    }
    EXPECT_DOUBLE_EQ(by_seeking.features.loudness, reading_through.features.loudness);
    // And the excerpts are not the whole track.
    const TrackAnalysis whole = TrackAnalyzer(AttributeModel::load(resolve_model(kDefaultModelName))).analyze(test::fixture("song.wav"));
    EXPECT_NEAR(whole.analysed_seconds, 20.0, 0.01);
    EXPECT_EQ(whole.segments, 1U);
}

// "fast-decoders" hands Ogg Vorbis and Opus to FFmpeg (2-3 times faster than
// libsndfile, docs/performance.md); "vibenet" keeps libsndfile, whose output
// equals VibeNet's loader. The analysis must barely notice the difference.
TEST(FrontEnd, FastDecodersReadOggWithFfmpegAndAnalyseAlike) {
    const FrontEnd fast = front_end_named("fast-decoders");
    EXPECT_EQ(fast.decoders, Decoders::fastest);
    EXPECT_EQ(front_end_named("vibenet").decoders, Decoders::as_vibenet);
    EXPECT_TRUE(fast.plan(format_of(3600)).empty());  // every sample
    const auto model = AttributeModel::load(resolve_model(kDefaultModelName));
    const TrackAnalyzer exact(model);
    AnalysisOptions options;
    options.front_end = fast;
    const TrackAnalyzer quick(model, options);
    for (const char* name : {"song.opus", "song.ogg"}) {
        const auto file = test::fixture(name);
        EXPECT_NE(dynamic_cast<FfmpegDecoder*>(open_audio(file, Decoders::fastest).get()), nullptr) << name;
        EXPECT_NE(dynamic_cast<SndfileDecoder*>(open_audio(file).get()), nullptr) << name;
        const TrackAnalysis a = exact.analyze(file);
        const TrackAnalysis b = quick.analyze(file);
        EXPECT_NEAR(a.audio_seconds, b.audio_seconds, 0.01) << name;
        for (std::size_t i = 0; i < kAttributeCount; ++i) {
            EXPECT_NEAR(a.attributes.at(i), b.attributes.at(i), 0.01) << name << " " << kAttributeNames[i];
        }
        EXPECT_NEAR(a.features.loudness, b.features.loudness, 0.05) << name;
        EXPECT_NEAR(a.features.bpm, b.features.bpm, 1.0) << name;
    }
}

// A 16 kHz mono track (no resampling) whose two halves differ by far more than
// 80 dB: noise, then a 1e-4 tone with gaps of digital silence.
std::filesystem::path loud_then_quiet(const std::filesystem::path& path) {
    test::Signal signal = test::silence(40.0, 16000);
    std::mt19937 random(7);
    std::uniform_real_distribution<float> noise(-0.3f, 0.3f);
    for (std::size_t i = 0; i < signal.frames(); ++i) {
        const bool loud_half = i < signal.frames() / 2;
        const bool gap = (i / 4000) % 3 == 2;
        signal.samples[i] = loud_half ? noise(random) : gap ? 0.0f : 1e-3f * std::sin(0.17f * static_cast<float>(i));
    }
    test::write_wav(path, signal);
    return path;
}

// The excerpts' log-mel computed by hand from the decoded samples: each
// excerpt on its own, no floor yet.
std::vector<LogMel> unfloored_excerpts(const std::filesystem::path& file, const FrontEnd& front_end) {
    const std::vector<float> samples = test::read_all(file);
    std::vector<LogMel> clips;
    for (const auto& excerpt : front_end.plan(open_audio(file)->format())) {
        LogMelExtractor extractor;
        extractor.push(std::span<const float>(samples).subspan(static_cast<std::size_t>(excerpt.first_frame),
                                                               static_cast<std::size_t>(excerpt.frames)));
        clips.push_back(extractor.finish(TopDb::none));
    }
    return clips;
}

// The teacher sees a whole track as one clip with one top-dB reference; the
// excerpts front end ("excerpts", "COUNTxSECONDS") gives the model one clip of
// all the excerpts' frames, floored against the loudest of them, and ":shared"
// one clip per excerpt with that same reference, not each excerpt's own.
TEST(FrontEnd, ExcerptsShareOneTopDbReference) {
    EXPECT_EQ(front_end_named("excerpts").excerpt_clips, ExcerptClips::joined);
    test::ScratchDir dir;
    const auto file = loud_then_quiet(dir / "loud-then-quiet.wav");
    const auto model = AttributeModel::load(resolve_model(kDefaultModelName));
    AnalysisOptions options;
    options.front_end = parse_excerpt_front_end("2x3");  // centred at 10 s (noise) and 30 s (the quiet tone)
    const std::vector<LogMel> clips = unfloored_excerpts(file, options.front_end);
    ASSERT_EQ(clips.size(), 2U);
    const float reference = std::max(max_db(clips[0]), max_db(clips[1]));
    // Its gaps read -100 dB: the quiet excerpt's own floor would leave them there.
    ASSERT_LT(*std::min_element(clips[1].values.begin(), clips[1].values.end()), reference - kTopDb);

    const TrackAnalysis joined = TrackAnalyzer(model, options).analyze(file);
    EXPECT_EQ(joined.segments, 1U);
    LogMel one_clip = join_clips(clips);
    apply_top_db(one_clip, reference);
    const Attributes expected_joined = Attributes::from_logits(model->analyse(one_clip).logits);

    options.front_end = parse_excerpt_front_end("2x3:shared");
    const TrackAnalysis shared = TrackAnalyzer(model, options).analyze(file);
    EXPECT_EQ(shared.segments, 2U);
    Logits mean{};
    for (LogMel clip : clips) {
        apply_top_db(clip, reference);
        const Logits logits = model->analyse(clip).logits;
        for (std::size_t i = 0; i < kAttributeCount; ++i) mean[i] += logits[i] / 2;  // equal lengths
    }
    const Attributes expected_shared = Attributes::from_logits(mean);
    for (std::size_t i = 0; i < kAttributeCount; ++i) {
        EXPECT_NEAR(joined.attributes.at(i), expected_joined.at(i), 1e-5) << kAttributeNames[i];
        EXPECT_NEAR(shared.attributes.at(i), expected_shared.at(i), 1e-5) << kAttributeNames[i];
    }
    options.front_end = parse_excerpt_front_end("2x3:own");  // the first version: each its own reference
    EXPECT_EQ(TrackAnalyzer(model, options).analyze(file).segments, 2U);
    EXPECT_THROW(parse_excerpt_front_end("2x3:loud"), std::invalid_argument);
    EXPECT_THROW(parse_excerpt_front_end("100x10"), std::invalid_argument);  // more than 600 s held
}

// What vibectl analyze and the daemon do with the bundled student (the front
// end its sidecar names): Ogg Vorbis and Opus are decoded by FFmpeg, with the
// attributes of VibeNet's decoders within the same tolerance as above. The
// teacher (no sidecar) keeps libsndfile, whose output is VibeNet's loader's.
TEST(FrontEnd, TheDefaultStudentDecodesOggWithFfmpegAndAnalysesAsBefore) {
    const auto student_file = resolve_model(kDefaultModelName);
    const auto model = AttributeModel::load(student_file);
    AnalysisOptions as_shipped;
    as_shipped.front_end = front_end_for_model(student_file);
    const TrackAnalyzer student(model, as_shipped);
    const TrackAnalyzer every_sample_as_vibenet(model);
    const auto teacher_file = std::filesystem::path(VIBED_SOURCE_DIR) / "model/generated/vibenet.pt";
    EXPECT_EQ(front_end_for_model(teacher_file).decoders, Decoders::as_vibenet);
    for (const char* name : {"song.opus", "song.ogg"}) {
        const auto file = test::fixture(name);
        const TrackAnalysis fast = student.analyze(file);
        const TrackAnalysis before = every_sample_as_vibenet.analyze(file);
        EXPECT_EQ(fast.decoder, "ffmpeg") << name;
        EXPECT_EQ(before.decoder, "libsndfile") << name;
        EXPECT_EQ(fast.segments, 1U) << name;  // every sample, in one pass
        EXPECT_NEAR(fast.analysed_seconds, before.analysed_seconds, 0.01) << name;
        for (std::size_t i = 0; i < kAttributeCount; ++i) {
            EXPECT_NEAR(fast.attributes.at(i), before.attributes.at(i), 0.01) << name << " " << kAttributeNames[i];
        }
        EXPECT_NEAR(fast.features.loudness, before.features.loudness, 0.05) << name;
        EXPECT_NEAR(fast.features.bpm, before.features.bpm, 1.0) << name;
    }
    // MP3 and FLAC keep their own backends (FFmpeg is no faster there).
    EXPECT_EQ(student.analyze(test::fixture("song.mp3")).decoder, "mpg123");
    EXPECT_EQ(student.analyze(test::fixture("song.flac")).decoder, "libsndfile");
}

}  // namespace
}  // namespace vibed::core
