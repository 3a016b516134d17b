#include "db/index.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>

#include "tests/db/test_support.hpp"

namespace vibed::db {
namespace {

namespace fs = std::filesystem;
using testing::ok_record;
using testing::sample_attributes;
using testing::ScratchDir;

std::int64_t query_int(Connection& connection, const std::string& sql) {
    auto statement = connection.prepare(sql);
    EXPECT_TRUE(statement.step()) << sql;
    return statement.column_int64(0);
}

std::string query_text(Connection& connection, const std::string& sql) {
    auto statement = connection.prepare(sql);
    EXPECT_TRUE(statement.step()) << sql;
    return statement.column_text(0);
}

// The message of the DatabaseError `action` throws, or "" when it does not.
template <typename Action>
std::string error_of(Action action) {
    try {
        action();
    } catch (const DatabaseError& error) {
        return error.what();
    }
    return "";
}

class IndexTest : public ::testing::Test {
protected:
    // Registers `path` as queued, then stores a successful analysis of it.
    void index_ok(const std::string& path, float seed) {
        index_.upsert_pending(path, 100, 1000);
        ASSERT_TRUE(index_.record_result(ok_record(path, model_, seed)));
    }

    std::vector<std::string> library_paths(const SqlFilter& filter = {}) {
        std::vector<std::string> paths;
        for (const auto& row : index_.select_library(model_, filter)) paths.push_back(row.path.string());
        return paths;
    }

    ScratchDir dir_;
    fs::path file_ = dir_ / "data/vibed/library.db";
    Index index_ = Index::open(file_);
    std::int64_t model_ = index_.ensure_model("student", "aaaa");
};

TEST_F(IndexTest, CreatesTheFolderAndTheCurrentSchemaInWalMode) {
    EXPECT_TRUE(fs::is_regular_file(file_));
    Connection raw = Connection::open(file_, Connection::Mode::read_only);
    EXPECT_EQ(query_int(raw, "PRAGMA user_version"), Index::kSchemaVersion);
    EXPECT_EQ(query_text(raw, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(query_int(raw, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                             "('tracks', 'models', 'attributes', 'library')"),
              4);
}

TEST(IndexOpenTest, ANewIndexIsPrivateWhateverTheUmask) {
    // Outside systemd (UMask=0077) the usual umask 022 made it 0644: the
    // whole library listing readable by every user.
    ScratchDir dir;
    const mode_t before = ::umask(022);
    Index index = Index::open(dir / "library.db");
    index.upsert_pending("/music/a.mp3", 1, 1);
    ::umask(before);
    struct stat info {};
    ASSERT_EQ(::stat((dir / "library.db").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat((dir / "library.db-wal").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u) << "SQLite gives -wal the database's mode";
}

TEST_F(IndexTest, LibraryViewHasTheDocumentedColumns) {
    Connection raw = Connection::open(file_, Connection::Mode::read_only);
    auto columns = raw.prepare("SELECT name FROM pragma_table_info('library') ORDER BY cid");
    std::vector<std::string> names;
    while (columns.step()) names.push_back(columns.column_text(0));
    EXPECT_EQ(names, (std::vector<std::string>{"id", "path", "title", "artist", "album", "albumartist", "genre",
                                               "year", "track_no", "duration", "model_id", "acousticness",
                                               "danceability", "energy", "instrumentalness", "liveness",
                                               "speechiness", "valence", "bpm", "bpm_confidence", "loudness",
                                               "loudness_range", "key", "mode", "key_strength", "majorness",
                                               "onset_rate", "beat_regularity", "brightness", "noisiness",
                                               "harmonic_change", "key_name", "mode_name", "mood_valence",
                                               "mood_arousal", "happy", "tense", "sad", "calm", "mood", "added_at"}));
}

TEST_F(IndexTest, ReopeningIsIdempotent) {
    index_.upsert_pending("/music/a.mp3", 1, 2);
    index_ = Index::open(file_);
    index_ = Index::open(file_);
    EXPECT_TRUE(index_.file_state("/music/a.mp3", model_).has_value());
    Connection raw = Connection::open(file_, Connection::Mode::read_only);
    EXPECT_EQ(query_int(raw, "PRAGMA user_version"), Index::kSchemaVersion);
}

TEST_F(IndexTest, RefusesANewerSchema) {
    Connection::open(file_, Connection::Mode::read_write_create).execute("PRAGMA user_version = 99");
    const std::string error = error_of([&] { Index::open(file_); });
    EXPECT_EQ(error, file_.string() + ": the index has schema version 99 but this vibed reads only up to " +
                         std::to_string(Index::kSchemaVersion) + "; upgrade vibed or use another database path");
    EXPECT_FALSE(error_of([&] { Index::open_readonly(file_); }).empty());
}

TEST(IndexOpenTest, MigratesAnExistingEmptyFile) {
    ScratchDir dir;
    std::ofstream(dir / "library.db").close();
    Index::open(dir / "library.db").upsert_pending("/music/a.mp3", 1, 2);
    Connection raw = Connection::open(dir / "library.db", Connection::Mode::read_only);
    EXPECT_EQ(query_int(raw, "PRAGMA user_version"), Index::kSchemaVersion);
    EXPECT_EQ(query_int(raw, "SELECT count(*) FROM tracks"), 1);
}

TEST(IndexOpenTest, RefusesAnotherProgramsDatabase) {
    ScratchDir dir;
    Connection::open(dir / "other.db", Connection::Mode::read_write_create)
        .execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY)");
    EXPECT_EQ(error_of([&] { Index::open(dir / "other.db"); }),
              (dir / "other.db").string() + ": this SQLite database is not a vibed index; refusing to change it");
    Connection raw = Connection::open(dir / "other.db", Connection::Mode::read_only);
    EXPECT_EQ(query_int(raw, "SELECT count(*) FROM sqlite_schema"), 1);
}

TEST(IndexOpenTest, CorruptFileIsAClearError) {
    ScratchDir dir;
    std::mt19937 random(42);
    std::ofstream out(dir / "library.db", std::ios::binary);
    for (int i = 0; i < 8192; ++i) out.put(static_cast<char>(random()));
    out.close();
    const std::string error = error_of([&] { Index::open(dir / "library.db"); });
    EXPECT_TRUE(error.starts_with((dir / "library.db").string() + ": ")) << error;
    EXPECT_NE(error.find("file is not a database"), std::string::npos) << error;
    EXPECT_NE(error_of([&] { Index::open_readonly(dir / "library.db"); }).find("file is not a database"),
              std::string::npos);
}

TEST(IndexOpenTest, UncreatableFolderIsAClearError) {
    // Tests run as root, which ignores permission bits: a parent that is a
    // regular file fails for everyone.
    ScratchDir dir;
    std::ofstream(dir / "not-a-folder") << "x";
    const fs::path file = dir / "not-a-folder/vibed/library.db";
    const std::string error = error_of([&] { Index::open(file); });
    EXPECT_TRUE(error.starts_with(file.string() + ": cannot create the folder " + (dir / "not-a-folder/vibed").string()))
        << error;
}

TEST(IndexOpenTest, ReadOnlyOpenOfAMissingIndexSaysSo) {
    ScratchDir dir;
    EXPECT_EQ(error_of([&] { Index::open_readonly(dir / "library.db"); }),
              (dir / "library.db").string() + ": no index here (has vibed run with this database yet?)");
    EXPECT_FALSE(fs::exists(dir / "library.db"));
}

TEST(IndexOpenTest, ReadOnlyOpenOfAnEmptyFileSaysSo) {
    ScratchDir dir;
    std::ofstream(dir / "library.db").close();
    EXPECT_EQ(error_of([&] { Index::open_readonly(dir / "library.db"); }),
              (dir / "library.db").string() + ": the index is empty; start vibed once to create it");
}

TEST_F(IndexTest, ModelsAreRegisteredOncePerSha256) {
    EXPECT_EQ(index_.ensure_model("student", "aaaa"), model_);
    EXPECT_EQ(index_.ensure_model("renamed", "aaaa"), model_);
    const auto other = index_.ensure_model("vibenet", "bbbb");
    EXPECT_NE(other, model_);
    EXPECT_EQ(index_.find_model("bbbb"), other);
    EXPECT_FALSE(index_.find_model("cccc"));
}

TEST_F(IndexTest, PendingThenOkRecordsEverything) {
    index_.upsert_pending("/music/a.mp3", 100, 1000);
    auto state = index_.file_state("/music/a.mp3", model_);
    ASSERT_TRUE(state);
    EXPECT_EQ(state->status, TrackStatus::pending);
    EXPECT_FALSE(state->has_attributes);

    AnalysisRecord record = ok_record("/music/a.mp3", model_, 0.5f);
    record.tags.album = "Album";
    record.tags.album_artist = "Album Artist";
    record.tags.genre = "Jazz";
    record.tags.year = 1999;
    record.tags.track_number = 4;
    ASSERT_TRUE(index_.record_result(record));

    state = index_.file_state("/music/a.mp3", model_);
    EXPECT_EQ(state->status, TrackStatus::ok);
    EXPECT_TRUE(state->has_attributes);
    EXPECT_EQ(state->size, 100);
    EXPECT_EQ(state->mtime_ns, 1000);

    const auto track = index_.find_track("/music/a.mp3", model_);
    ASSERT_TRUE(track);
    EXPECT_EQ(track->tags.title, record.tags.title);
    EXPECT_EQ(track->tags.artist, "Artist");
    EXPECT_EQ(track->tags.album, "Album");
    EXPECT_EQ(track->tags.album_artist, "Album Artist");
    EXPECT_EQ(track->tags.genre, "Jazz");
    EXPECT_EQ(track->tags.year, 1999);
    EXPECT_EQ(track->tags.track_number, 4);
    EXPECT_DOUBLE_EQ(track->tags.duration_seconds, 180.5);
    EXPECT_TRUE(track->analyzed_at.has_value());
    ASSERT_TRUE(track->attributes);
    for (std::size_t i = 0; i < core::kAttributeCount; ++i) {
        EXPECT_FLOAT_EQ(track->attributes->at(i), record.attributes->at(i)) << core::kAttributeNames[i];
    }
}

TEST_F(IndexTest, AttributesAreKeptPerModel) {
    index_ok("/music/a.mp3", 0.2f);
    const auto other = index_.ensure_model("vibenet", "bbbb");
    EXPECT_FALSE(index_.file_state("/music/a.mp3", other)->has_attributes);
    AnalysisRecord record = ok_record("/music/a.mp3", other, 0.8f);
    ASSERT_TRUE(index_.record_result(record));
    EXPECT_FLOAT_EQ(index_.find_track("/music/a.mp3", model_)->attributes->energy, sample_attributes(0.2f).energy);
    EXPECT_FLOAT_EQ(index_.find_track("/music/a.mp3", other)->attributes->energy, sample_attributes(0.8f).energy);
}

TEST_F(IndexTest, FailuresAreRecordedWithTheirError) {
    index_.upsert_pending("/music/bad.mp3", 5, 6);
    AnalysisRecord record;
    record.path = "/music/bad.mp3";
    record.size = 5;
    record.mtime_ns = 6;
    record.model_id = model_;
    record.error = "mpg123: no MPEG frames found";
    ASSERT_TRUE(index_.record_result(record));
    const auto track = index_.find_track("/music/bad.mp3", model_);
    EXPECT_EQ(track->status, TrackStatus::error);
    EXPECT_EQ(track->error, "mpg123: no MPEG frames found");
    EXPECT_FALSE(track->attributes);
    EXPECT_TRUE(library_paths().empty());
}

TEST_F(IndexTest, AttributesOutsideTheUnitRangeBecomeAnError) {
    index_.upsert_pending("/music/nan.mp3", 100, 1000);
    AnalysisRecord record = ok_record("/music/nan.mp3", model_, 0.5f);
    record.attributes->valence = std::numeric_limits<float>::quiet_NaN();
    index_.upsert_pending("/music/fine.mp3", 100, 1000);
    const std::vector<AnalysisRecord> batch{record, ok_record("/music/fine.mp3", model_, 0.5f)};
    EXPECT_EQ(index_.commit_results(batch), 2u);
    EXPECT_EQ(index_.find_track("/music/nan.mp3", model_)->status, TrackStatus::error);
    EXPECT_EQ(index_.find_track("/music/nan.mp3", model_)->error, "the model produced values outside [0, 1]");
    EXPECT_EQ(library_paths(), std::vector<std::string>{"/music/fine.mp3"});
}

TEST_F(IndexTest, StaleResultsAreDropped) {
    // Never queued (or removed while analysed).
    EXPECT_FALSE(index_.record_result(ok_record("/music/gone.mp3", model_, 0.5f)));
    EXPECT_FALSE(index_.file_state("/music/gone.mp3", model_));
    // Changed while analysed: the newer version stays pending.
    index_.upsert_pending("/music/a.mp3", 100, 1000);
    index_.upsert_pending("/music/a.mp3", 200, 2000);
    EXPECT_FALSE(index_.record_result(ok_record("/music/a.mp3", model_, 0.5f, 100, 1000)));
    EXPECT_EQ(index_.file_state("/music/a.mp3", model_)->status, TrackStatus::pending);
    EXPECT_TRUE(index_.record_result(ok_record("/music/a.mp3", model_, 0.5f, 200, 2000)));
}

TEST_F(IndexTest, ChangedFileGoesBackToPending) {
    index_ok("/music/a.mp3", 0.5f);
    index_.upsert_pending("/music/a.mp3", 300, 3000);
    const auto state = index_.file_state("/music/a.mp3", model_);
    EXPECT_EQ(state->status, TrackStatus::pending);
    EXPECT_EQ(state->size, 300);
    EXPECT_TRUE(library_paths().empty());
}

TEST_F(IndexTest, BatchedCommitStoresEveryRecord) {
    std::vector<FileVersion> files;
    std::vector<AnalysisRecord> records;
    for (int i = 0; i < 50; ++i) {
        const std::string path = "/music/" + std::to_string(i) + ".mp3";
        files.push_back({path, 100, 1000});
        records.push_back(ok_record(path, model_, static_cast<float>(i) / 50.0f));
    }
    index_.upsert_pending(files);
    EXPECT_EQ(index_.stats(model_).pending, 50);
    EXPECT_EQ(index_.commit_results(records), 50u);
    const IndexStats stats = index_.stats(model_);
    EXPECT_EQ(stats.total, 50);
    EXPECT_EQ(stats.ok, 50);
    EXPECT_EQ(stats.pending, 0);
    EXPECT_EQ(stats.error, 0);
    EXPECT_EQ(stats.analyzed, 50);
    EXPECT_EQ(index_.all_file_states(model_).size(), 50u);
}

TEST_F(IndexTest, StatsCountEachStatus) {
    index_ok("/music/ok.mp3", 0.5f);
    index_.upsert_pending("/music/pending.mp3", 1, 1);
    index_.upsert_pending("/music/error.mp3", 100, 1000);
    AnalysisRecord failure = ok_record("/music/error.mp3", model_, 0.5f);
    failure.attributes.reset();
    ASSERT_TRUE(index_.record_result(failure));
    const IndexStats stats = index_.stats(model_);
    EXPECT_EQ(stats.total, 3);
    EXPECT_EQ(stats.ok, 1);
    EXPECT_EQ(stats.pending, 1);
    EXPECT_EQ(stats.error, 1);
    EXPECT_EQ(stats.analyzed, 1);
    EXPECT_EQ(index_.stats(index_.ensure_model("other", "ffff")).analyzed, 0);
}

TEST_F(IndexTest, RenameKeepsTheAnalysis) {
    index_ok("/music/old.mp3", 0.3f);
    EXPECT_TRUE(index_.rename_path("/music/old.mp3", "/music/new.mp3"));
    EXPECT_FALSE(index_.file_state("/music/old.mp3", model_));
    const auto track = index_.find_track("/music/new.mp3", model_);
    ASSERT_TRUE(track);
    EXPECT_EQ(track->status, TrackStatus::ok);
    EXPECT_FLOAT_EQ(track->attributes->energy, sample_attributes(0.3f).energy);
    EXPECT_FALSE(index_.rename_path("/music/never.mp3", "/music/other.mp3"));
}

TEST_F(IndexTest, RenameOntoAnIndexedFileReplacesIt) {
    index_ok("/music/a.mp3", 0.1f);
    index_ok("/music/b.mp3", 0.9f);
    EXPECT_TRUE(index_.rename_path("/music/a.mp3", "/music/b.mp3"));
    EXPECT_EQ(library_paths(), std::vector<std::string>{"/music/b.mp3"});
    EXPECT_FLOAT_EQ(index_.find_track("/music/b.mp3", model_)->attributes->energy, sample_attributes(0.1f).energy);
    Connection raw = Connection::open(file_, Connection::Mode::read_only);
    EXPECT_EQ(query_int(raw, "SELECT count(*) FROM attributes"), 1);  // b's old attributes cascaded away
}

TEST_F(IndexTest, RenamePrefixMovesOnlyThatFolder) {
    for (const char* path : {"/music/rock/a.mp3", "/music/rock/sub/b.mp3", "/music/rockabilly/c.mp3",
                             "/music/rock.mp3", "/music/pop/rock/d.mp3"}) {
        index_ok(path, 0.5f);
    }
    EXPECT_EQ(index_.rename_prefix("/music/rock/", "/music/Rock & Roll"), 2);
    EXPECT_EQ(library_paths(),
              (std::vector<std::string>{"/music/Rock & Roll/a.mp3", "/music/Rock & Roll/sub/b.mp3",
                                        "/music/pop/rock/d.mp3", "/music/rock.mp3", "/music/rockabilly/c.mp3"}));
    EXPECT_FALSE(error_of([&] { index_.rename_prefix("/music/pop", "/music/pop/inner"); }).empty());
}

TEST_F(IndexTest, RenamePrefixKeepsNonUtf8Names) {
    const std::string odd = std::string("/music/old/caf") + "\xe9" + ".mp3";  // Latin-1 byte
    index_ok(odd, 0.5f);
    EXPECT_EQ(index_.rename_prefix("/music/old", "/music/new"), 1);
    EXPECT_EQ(library_paths(), std::vector<std::string>{std::string("/music/new/caf") + "\xe9" + ".mp3"});
}

TEST_F(IndexTest, RemoveDeletesTracksAndTheirAttributes) {
    index_ok("/music/a/1.mp3", 0.5f);
    index_ok("/music/a/2.mp3", 0.5f);
    index_ok("/music/ab.mp3", 0.5f);
    index_ok("/music/b.mp3", 0.5f);
    EXPECT_TRUE(index_.remove_path("/music/b.mp3"));
    EXPECT_FALSE(index_.remove_path("/music/b.mp3"));
    EXPECT_EQ(index_.remove_prefix("/music/a"), 2);
    EXPECT_EQ(library_paths(), std::vector<std::string>{"/music/ab.mp3"});
    Connection raw = Connection::open(file_, Connection::Mode::read_only);
    EXPECT_EQ(query_int(raw, "SELECT count(*) FROM attributes"), 1);
}

TEST_F(IndexTest, SchemaConstraintsHold) {
    Connection raw = Connection::open(file_, Connection::Mode::read_write_create);
    raw.execute("PRAGMA foreign_keys = ON");
    EXPECT_THROW(raw.execute("INSERT INTO tracks (path, size, mtime_ns, status) VALUES ('/x', 1, 1, 'done')"),
                 SqliteError);
    raw.execute("INSERT INTO tracks (path, size, mtime_ns, status) VALUES ('/x', 1, 1, 'ok')");
    EXPECT_THROW(raw.execute("INSERT INTO tracks (path, size, mtime_ns, status) VALUES ('/x', 2, 2, 'ok')"),
                 SqliteError);
    EXPECT_THROW(raw.execute("INSERT INTO attributes VALUES (1, 999, 0, 0, 0, 0, 0, 0, 0)"), SqliteError);
    EXPECT_THROW(raw.execute("INSERT INTO attributes VALUES (1, " + std::to_string(model_) +
                             ", 1.5, 0, 0, 0, 0, 0, 0)"),
                 SqliteError);
    EXPECT_THROW(raw.execute("INSERT INTO models (name, sha256) VALUES ('dup', 'aaaa')"), SqliteError);
}

TEST_F(IndexTest, SelectLibraryFiltersWithParametersAndOrders) {
    index_ok("/music/calm.mp3", 0.1f);
    index_ok("/music/mid.mp3", 0.5f);
    index_ok("/music/wild.mp3", 0.9f);
    index_.upsert_pending("/music/queued.mp3", 1, 1);

    EXPECT_EQ(library_paths(), (std::vector<std::string>{"/music/calm.mp3", "/music/mid.mp3", "/music/wild.mp3"}));
    EXPECT_EQ(library_paths({"energy > ?", {0.3}, "energy DESC"}),
              (std::vector<std::string>{"/music/wild.mp3", "/music/mid.mp3"}));
    EXPECT_EQ(library_paths({"path LIKE ? OR title = ?", {std::string("%calm%"), std::string("Title of /music/mid.mp3")},
                             ""}),
              (std::vector<std::string>{"/music/calm.mp3", "/music/mid.mp3"}));
    EXPECT_EQ(library_paths({"id = ?", {std::int64_t{index_.find_track("/music/wild.mp3", model_)->id}}, ""}),
              std::vector<std::string>{"/music/wild.mp3"});
    // Values are data, never SQL.
    EXPECT_TRUE(library_paths({"artist = ?", {std::string("x' OR '1'='1")}, ""}).empty());

    const auto rows = index_.select_library(model_, {"energy > ?", {0.5}, ""});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].tags.artist, "Artist");
    EXPECT_FLOAT_EQ(rows[0].attributes.valence, sample_attributes(0.9f).valence);
    EXPECT_FLOAT_EQ(rows[0].attributes.acousticness, sample_attributes(0.9f).acousticness);
}

TEST_F(IndexTest, SelectLibraryOnlySeesTheRequestedModel) {
    index_ok("/music/a.mp3", 0.5f);
    const auto other = index_.ensure_model("vibenet", "bbbb");
    EXPECT_TRUE(index_.select_library(other, {}).empty());
    EXPECT_EQ(index_.select_library(model_, {}).size(), 1u);
}

TEST_F(IndexTest, SelectLibraryRejectsAParameterMismatch) {
    EXPECT_THROW(index_.select_library(model_, {"energy > ? AND valence > ?", {0.5}, ""}), SqliteError);
    EXPECT_THROW(index_.select_library(model_, {"energy > 0.5", {0.5}, ""}), SqliteError);
}

TEST_F(IndexTest, AllTracksListsEveryStatusInPathOrder) {
    index_ok("/music/b.mp3", 0.5f);
    index_.upsert_pending("/music/a.mp3", 1, 1);
    const auto tracks = index_.all_tracks(model_);
    ASSERT_EQ(tracks.size(), 2u);
    EXPECT_EQ(tracks[0].path, "/music/a.mp3");
    EXPECT_EQ(tracks[0].status, TrackStatus::pending);
    EXPECT_FALSE(tracks[0].attributes);
    EXPECT_TRUE(tracks[0].tags.title.empty());
    EXPECT_EQ(tracks[1].path, "/music/b.mp3");
    EXPECT_TRUE(tracks[1].attributes);
}

TEST_F(IndexTest, ReaderIsNotBlockedByAnOpenWriteTransaction) {
    index_ok("/music/a.mp3", 0.5f);
    Connection writer = Connection::open(file_, Connection::Mode::read_write_create);
    Transaction transaction(writer);
    writer.execute("DELETE FROM tracks");  // uncommitted

    Index reader = Index::open_readonly(file_);
    EXPECT_EQ(reader.stats(model_).ok, 1);
    EXPECT_EQ(reader.select_library(model_, {}).size(), 1u);
}

TEST_F(IndexTest, ReadOnlyIndexSeesCommittedWrites) {
    Index reader = Index::open_readonly(file_);
    EXPECT_EQ(reader.stats(model_).total, 0);
    index_ok("/music/a.mp3", 0.5f);
    EXPECT_EQ(reader.stats(model_).total, 1);
    EXPECT_THROW(reader.upsert_pending("/music/b.mp3", 1, 1), SqliteError);
}

}  // namespace
}  // namespace vibed::db
