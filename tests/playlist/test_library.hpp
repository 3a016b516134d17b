#pragma once
// A real index (db::Index on a SQLite file in a scratch folder) filled with
// rows, and a seeded generator of varied libraries, for the playlist tests.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "db/index.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::playlist::testing {

class TestLibrary {
public:
    TestLibrary() : index_(db::Index::open(scratch_ / "index.sqlite")), model_(index_.ensure_model("test", "ab12")) {}

    void add(const core::LibraryRow& row) {
        index_.upsert_pending(row.path, 1, 1);
        db::AnalysisRecord record;
        record.path = row.path;
        record.size = 1;
        record.mtime_ns = 1;
        record.tags = row.tags;
        record.attributes = row.attributes;
        record.model_id = model_;
        // A row without features stands for a track analysed before features
        // existed: stored without them, as a version-1 index upgraded has it.
        if (row.features) record.features = *row.features;
        if (row.moods) {
            record.moods = row.moods;
            record.mood_model_id = mood_model_;
        }
        if (!index_.record_result(record)) ADD_FAILURE() << "the index refused " << row.path;
        if (!row.features) {
            db::Connection::open(scratch_ / "index.sqlite", db::Connection::Mode::read_write_create)
                .prepare("DELETE FROM features WHERE track_id = (SELECT id FROM tracks WHERE path = ?)")
                .bind_all(row.path.string())
                .run();
        }
    }

    void add(const std::vector<core::LibraryRow>& rows) {
        for (const core::LibraryRow& row : rows) add(row);
    }

    std::vector<core::LibraryRow> select(const util::SqlFilter& filter) { return index_.select_library(model_, filter); }
    std::vector<core::LibraryRow> all() { return select({}); }
    db::Index& index() { return index_; }

private:
    db::testing::ScratchDir scratch_;
    db::Index index_;
    std::int64_t model_;
    std::int64_t mood_model_ = index_.ensure_model("moods", "cd34");
};

// Text chosen to trip up matching: ASCII and non-ASCII letters in both
// cases (Latin, Cyrillic, Greek), LIKE and GLOB wildcards, quotes, brackets,
// empty (unknown) tags.
inline const std::vector<std::string> kTrickyNames = {
    "Miles Davis", "miles davis", "Björk",        "BJÖRK",        "AC/DC",     "",          "100% Pure",
    "Under_score", "Star*Man",    "[Bracket]",    "O'Brien",      "Sigur Rós", "SIGUR RÓS", "Question?",
    "Jazz Trio",   "Мумий Тролль", "МУМИЙ ТРОЛЛЬ", "Σωκράτης Ωδή", "ΣΩΚΡΆΤΗΣ",
};
inline const std::vector<std::string> kGenres = {"Jazz", "jazz", "Hip Hop", "", "Rock", "Électro"};

// Rows with every field drawn from small sets (so conditions often hit
// boundaries) and unique paths.
inline std::vector<core::LibraryRow> random_library(std::mt19937& random, std::size_t count) {
    auto pick = [&random](const std::vector<std::string>& options) {
        return options[std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(random)];
    };
    auto attribute = [&random]() {
        // Half on a 0.05 grid (equality and range ends), half anywhere.
        const float raw = std::uniform_real_distribution<float>(0.0f, 1.0f)(random);
        return std::uniform_int_distribution<int>(0, 1)(random) == 0 ? std::round(raw * 20.0f) / 20.0f : raw;
    };
    std::vector<core::LibraryRow> rows;
    for (std::size_t i = 0; i < count; ++i) {
        core::LibraryRow row;
        row.tags.artist = pick(kTrickyNames);
        row.tags.album_artist = pick(kTrickyNames);
        row.tags.album = pick(kTrickyNames);
        row.tags.title = pick(kTrickyNames);
        row.tags.genre = pick(kGenres);
        row.tags.year = std::uniform_int_distribution<int>(0, 3)(random) == 0
                            ? 0
                            : std::uniform_int_distribution<int>(1960, 2020)(random);
        row.tags.duration_seconds = std::uniform_int_distribution<int>(0, 5)(random) == 0
                                        ? 0
                                        : std::uniform_int_distribution<int>(30, 900)(random) + 0.5;
        for (std::size_t a = 0; a < core::kAttributeCount; ++a) row.attributes.at(a) = attribute();
        if (std::uniform_int_distribution<int>(0, 4)(random) != 0) {  // 1 in 5 without features and moods
            core::MusicalFeatures features;
            features.bpm = std::uniform_int_distribution<int>(0, 3)(random) == 0
                               ? 0
                               : std::uniform_int_distribution<int>(60, 180)(random);
            features.loudness = -std::uniform_int_distribution<int>(5, 30)(random);
            features.key = std::uniform_int_distribution<int>(-1, 11)(random);
            features.mode = features.key < 0 ? core::Mode::unknown
                                             : static_cast<core::Mode>(std::uniform_int_distribution<int>(1, 2)(random));
            features.majorness = attribute() * 2 - 1;
            features.key_strength = attribute();
            row.features = features;
            core::Moods moods;
            float total = 0;
            for (auto& p : moods.probabilities) total += p = attribute() + 0.01f;
            for (auto& p : moods.probabilities) p /= total;
            moods.valence = attribute();
            moods.arousal = attribute();
            row.moods = moods;
        }
        const std::string genre_folder = row.tags.genre.empty() ? "Unknown" : row.tags.genre;
        row.path = "/music/" + genre_folder + "/" + (row.tags.artist.empty() ? "Various" : row.tags.artist) + "/" +
                   std::to_string(i) + " " + row.tags.title + ".mp3";
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace vibed::playlist::testing
