#pragma once
// Which samples of a track a model sees. Every model sees VibeNet's per-frame
// transform (core/features/log_mel.hpp); what differs is how much of a long
// track goes through it:
//
//  - "vibenet": every sample, as VibeNet does. The teacher's front end, kept
//    exact for parity (tests/parity), and that of any model that says nothing.
//  - "excerpts": a track longer than min_track_seconds is analysed over
//    `excerpts` evenly spread excerpts of excerpt_seconds each, reached by
//    seeking (MP3, FLAC, Ogg, WAV; other formats are decoded through and the
//    rest discarded). How the excerpts meet the model is ExcerptClips; the
//    musical features are measured over the same excerpts.
//    docs/performance.md (1c) measures what it saves and what it costs in
//    agreement with the teacher.
//  - "fast-decoders": every sample as "vibenet", but Ogg Vorbis and Opus
//    decoded by FFmpeg, 2-3 times faster than libsndfile and not bit-identical
//    to VibeNet's loader (Decoders::fastest in core/audio/audio_decoder.hpp):
//    for a student, never for the teacher's parity.
//
// A model names its front end in its JSON sidecar (MODEL.json next to
// MODEL.pt, key "front_end"); the one definition of each is front_end_named().

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/audio/audio_decoder.hpp"

namespace vibed::core {

// How a track's excerpts meet the model. The teacher sees a whole track as one
// clip: one top-dB reference (its loudest mel value) and one pooling over time.
enum class ExcerptClips {
    own_reference,     // each excerpt its own clip with its own top-dB reference; logits averaged by length
    shared_reference,  // each its own clip, one reference for all: the loudest value of all the excerpts
    joined,            // one clip of all the excerpts' frames: one reference, and the model pools over all
};

struct FrontEnd {
    std::string name = "vibenet";
    std::size_t excerpts = 0;  // 0: every sample
    double excerpt_seconds = 0;
    double min_track_seconds = 0;  // shorter tracks (or of unknown length) are analysed whole
    ExcerptClips excerpt_clips = ExcerptClips::joined;
    Decoders decoders = Decoders::as_vibenet;

    struct Excerpt {
        std::int64_t first_frame = 0;  // at the source rate
        std::int64_t frames = 0;
    };
    // The excerpts of a track in this format, in order; empty: the whole track.
    [[nodiscard]] std::vector<Excerpt> plan(const AudioFormat& format) const;
};

// Throws std::invalid_argument for an unknown name.
FrontEnd front_end_named(std::string_view name);

// The front end the model at `model_file` expects: its sidecar's "front_end",
// "vibenet" without a sidecar or without the key. Throws std::runtime_error
// naming the sidecar when it is unreadable or names an unknown front end.
FrontEnd front_end_for_model(const std::filesystem::path& model_file);

// For measurements: "COUNTxSECONDS[:own|shared|joined]" (e.g. "6x15:own") as
// an excerpts front end over tracks longer than COUNT * SECONDS * 1.5, its
// excerpts meeting the model as ExcerptClips says (default: joined, as
// "excerpts"). COUNT * SECONDS is at most 600 (the excerpts' frames are held
// until the last one). Throws std::invalid_argument.
FrontEnd parse_excerpt_front_end(std::string_view spec);

}  // namespace vibed::core
