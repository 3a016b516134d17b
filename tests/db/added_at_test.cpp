// When the index first saw a track (tracks.added_at, the query field `added`):
// set once when the path is first queued, kept when the file changes or is
// renamed, read through the library view and find_track.
#include <gtest/gtest.h>

#include <ctime>

#include "db/sqlite/sqlite.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::db {
namespace {

using namespace testing;

std::int64_t stored_added_at(const std::filesystem::path& file, const std::string& path) {
    Connection raw = Connection::open(file, Connection::Mode::read_only);
    auto statement = raw.prepare("SELECT added_at FROM tracks WHERE path = ?");
    statement.bind_all(path);
    return statement.step() ? statement.column_int64(0) : -1;
}

TEST(AddedAt, SetOnceKeptThroughChangesAndRenames) {
    ScratchDir dir;
    const auto file = dir / "library.db";
    Index index = Index::open(file);
    const std::int64_t model = index.ensure_model("student", "aaaa");
    const std::int64_t before = std::time(nullptr);
    index.upsert_pending("/m/a.flac", 100, 1000);
    const std::int64_t first = stored_added_at(file, "/m/a.flac");
    EXPECT_GE(first, before);
    EXPECT_LE(first, std::time(nullptr));

    // Pretend it was first seen long ago: a change of the file keeps that date.
    {
        Connection raw = Connection::open(file, Connection::Mode::read_write_create);
        raw.execute("UPDATE tracks SET added_at = 1000000000");
    }
    index.upsert_pending("/m/a.flac", 200, 2000);
    ASSERT_TRUE(index.record_result(ok_record("/m/a.flac", model, 0.3f, 200, 2000)));
    EXPECT_EQ(stored_added_at(file, "/m/a.flac"), 1000000000);
    ASSERT_TRUE(index.rename_path("/m/a.flac", "/m/b.flac"));
    EXPECT_EQ(stored_added_at(file, "/m/b.flac"), 1000000000);

    const auto rows = index.select_library(model, {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].added_at, 1000000000);
    const auto record = index.find_track("/m/b.flac", model);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->added_at, 1000000000);
    EXPECT_EQ(record->library_row().added_at, 1000000000);
}

// A version-4 index (this one with added_at taken out again, as 4 had it):
// the upgrade gives analysed tracks their analysis time, the others the upgrade's.
TEST(AddedAt, AVersion4IndexUpgradesWithAnalysisTimes) {
    ScratchDir dir;
    const auto file = dir / "library.db";
    { Index index = Index::open(file); }
    {
        Connection raw = Connection::open(file, Connection::Mode::read_write_create);
        auto view = raw.prepare("SELECT sql FROM sqlite_schema WHERE name = 'library'");
        ASSERT_TRUE(view.step());
        std::string version_4_view = view.column_text(0);
        const std::string added = ",\n       t.added_at";
        ASSERT_NE(version_4_view.find(added), std::string::npos) << version_4_view;
        version_4_view.erase(version_4_view.find(added), added.size());
        raw.execute("DROP VIEW library; ALTER TABLE tracks DROP COLUMN added_at; " + version_4_view +
                    "; PRAGMA user_version = 4;"
                    "INSERT INTO tracks (path, size, mtime_ns, status, analyzed_at) VALUES"
                    " ('/m/old.flac', 1, 1, 'ok', 1700000000), ('/m/new.flac', 1, 1, 'pending', NULL);");
    }
    EXPECT_THROW(Index::open_readonly(file), DatabaseError);
    const std::int64_t before = std::time(nullptr);
    { Index index = Index::open(file); }
    EXPECT_EQ(stored_added_at(file, "/m/old.flac"), 1700000000);
    EXPECT_GE(stored_added_at(file, "/m/new.flac"), before);
    EXPECT_NO_THROW(Index::open_readonly(file));
}

}  // namespace
}  // namespace vibed::db
