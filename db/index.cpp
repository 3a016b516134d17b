// Opening the index (WAL, schema migrations), the models it knows, and the
// bookkeeping of tracks by path: what the scanner compares with the disk,
// files waiting for analysis, renames and removals, and the counts for
// status. Results, moods and vectors, and reads of the library have files of
// their own (index_results.cpp, index_moods_vectors.cpp, index_library.cpp).
#include "db/index.hpp"

#include <system_error>

#include "core/util/path_tree.hpp"
#include "db/row_columns.hpp"

namespace vibed::db {
namespace {

namespace fs = std::filesystem;

// The half-open range of paths under `dir`: [dir + "/", dir + "0"), since '0'
// follows '/' in byte order. Compared as bytes, it uses the path index.
struct PathRange {
    std::string lower;
    std::string upper;
};

PathRange paths_under(const fs::path& dir) {
    std::string base = dir.string();
    while (base.size() > 1 && base.ends_with('/')) base.pop_back();
    return {base + "/", base + "0"};
}

void create_parent_folder(const fs::path& file) {
    if (!file.has_parent_path()) return;
    std::error_code error;
    fs::create_directories(file.parent_path(), error);
    if (error) {
        throw DatabaseError(file.string() + ": cannot create the folder " + file.parent_path().string() + ": " +
                            error.message());
    }
}

void configure_writer(Connection& connection) {
    // WAL: readers (vibectl, playlist writers) never wait for the daemon.
    auto journal = connection.prepare("PRAGMA journal_mode = WAL");
    if (!journal.step() || journal.column_text(0) != "wal") {
        throw DatabaseError(connection.file().string() + ": cannot switch the database to WAL mode "
                                                         "(is it on a network file system?)");
    }
    // NORMAL in WAL mode: a power cut may lose the last commits but never
    // corrupts the database; an application crash loses nothing.
    connection.execute("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
}

}  // namespace

std::string_view to_string(TrackStatus status) {
    switch (status) {
        case TrackStatus::pending: return "pending";
        case TrackStatus::ok: return "ok";
        case TrackStatus::error: return "error";
    }
    return "pending";
}

Index Index::open(const fs::path& file) {
    create_parent_folder(file);
    Connection connection = Connection::open(file, Connection::Mode::read_write_create);
    configure_writer(connection);
    schema::migrate(connection);
    return Index(std::move(connection));
}

Index Index::open_readonly(const fs::path& file) {
    std::error_code error;
    if (!fs::exists(file, error)) {
        throw DatabaseError(file.string() + ": no index here (has vibed run with this database yet?)");
    }
    Connection connection = Connection::open(file, Connection::Mode::read_only);
    schema::require_current(connection);
    return Index(std::move(connection));
}

void Index::checkpoint() {
    // One row: busy, WAL frames, frames checkpointed; busy = 1 when a reader
    // kept SQLite from finishing (the WAL is then left for the next time).
    auto statement = connection_.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
    if (statement.step() && statement.column_int64(0) != 0) {
        throw DatabaseError(file().string() + ": cannot checkpoint the WAL: another connection is reading");
    }
}

std::int64_t Index::ensure_model(std::string_view name, std::string_view sha256) {
    auto statement = connection_.prepare(
        "INSERT INTO models (name, sha256) VALUES (?, ?) "
        "ON CONFLICT (sha256) DO UPDATE SET name = excluded.name RETURNING id");
    statement.bind_all(name, sha256);
    if (!statement.step()) throw DatabaseError(file().string() + ": registering model " + std::string(name) + " failed");
    return statement.column_int64(0);
}

std::optional<std::int64_t> Index::find_model(std::string_view sha256) {
    auto statement = connection_.prepare("SELECT id FROM models WHERE sha256 = ?");
    statement.bind_all(sha256);
    if (!statement.step()) return std::nullopt;
    return statement.column_int64(0);
}

namespace {

const std::string kFileStateSelect =
    "SELECT t.path, t.size, t.mtime_ns, t.status, a.track_id IS NOT NULL, "
    "ifnull(f.extractor = " + std::to_string(core::kFeatureExtractorVersion) + ", 0) "
    "FROM tracks AS t LEFT JOIN attributes AS a ON a.track_id = t.id AND a.model_id = ? "
    "LEFT JOIN features AS f ON f.track_id = t.id";

TrackFileState read_file_state(const Statement& statement) {
    return {statement.column_text(0),
            {statement.column_int64(1), statement.column_int64(2), parse_status(statement.column_text(3)),
             statement.column_int64(4) != 0, statement.column_int64(5) != 0}};
}

}  // namespace

std::optional<FileState> Index::file_state(const fs::path& path, std::int64_t model_id) {
    auto statement = connection_.prepare(kFileStateSelect + " WHERE t.path = ?");
    statement.bind_all(model_id, path.string());
    if (!statement.step()) return std::nullopt;
    return read_file_state(statement).state;
}

std::vector<TrackFileState> Index::all_file_states(std::int64_t model_id) {
    auto statement = connection_.prepare(kFileStateSelect);
    statement.bind_all(model_id);
    std::vector<TrackFileState> states;
    while (statement.step()) states.push_back(read_file_state(statement));
    return states;
}

namespace {

constexpr std::string_view kUpsertPending =
    "INSERT INTO tracks (path, size, mtime_ns, status, added_at) "
    "VALUES (?, ?, ?, 'pending', CAST(strftime('%s', 'now') AS INTEGER)) "
    "ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, "
    "status = 'pending', error = NULL";

}  // namespace

void Index::upsert_pending(const fs::path& path, std::int64_t size, std::int64_t mtime_ns) {
    const FileVersion file{path, size, mtime_ns};
    upsert_pending(std::span(&file, 1));
}

void Index::upsert_pending(std::span<const FileVersion> files) {
    Transaction transaction(connection_);
    auto upsert = connection_.prepare(kUpsertPending);
    for (const auto& file : files) upsert.bind_all(file.path.string(), file.size, file.mtime_ns).run();
    transaction.commit();
}

bool Index::rename_path(const fs::path& from, const fs::path& to) {
    Transaction transaction(connection_);
    auto exists = connection_.prepare("SELECT 1 FROM tracks WHERE path = ?");
    if (!exists.bind_all(from.string()).step()) return false;
    exists.reset();
    if (from == to) return true;
    // mv over an existing file replaces it; so does its row.
    connection_.prepare("DELETE FROM tracks WHERE path = ?").bind_all(to.string()).run();
    connection_.prepare("UPDATE tracks SET path = ? WHERE path = ?").bind_all(to.string(), from.string()).run();
    transaction.commit();
    return true;
}

std::int64_t Index::rename_prefix(const fs::path& from_dir, const fs::path& to_dir) {
    if (util::is_at_or_under(to_dir, from_dir) || util::is_at_or_under(from_dir, to_dir)) {
        throw DatabaseError(file().string() + ": cannot move " + from_dir.string() + " to " + to_dir.string() +
                            ": one contains the other");
    }
    const PathRange from = paths_under(from_dir);
    const PathRange to = paths_under(to_dir);
    Transaction transaction(connection_);
    connection_.prepare("DELETE FROM tracks WHERE path >= ? AND path < ?").bind_all(to.lower, to.upper).run();
    // Byte-wise substr (via BLOB) so that any file name bytes survive intact.
    connection_
        .prepare("UPDATE tracks SET path = ? || CAST(substr(CAST(path AS BLOB), ?) AS TEXT) "
                 "WHERE path >= ? AND path < ?")
        .bind_all(to.lower, from.lower.size() + 1, from.lower, from.upper)
        .run();
    const std::int64_t moved = connection_.changes();
    transaction.commit();
    return moved;
}

bool Index::remove_path(const fs::path& path) {
    connection_.prepare("DELETE FROM tracks WHERE path = ?").bind_all(path.string()).run();
    return connection_.changes() > 0;
}

std::int64_t Index::remove_prefix(const fs::path& dir) {
    const PathRange range = paths_under(dir);
    connection_.prepare("DELETE FROM tracks WHERE path >= ? AND path < ?").bind_all(range.lower, range.upper).run();
    return connection_.changes();
}

IndexStats Index::stats(std::int64_t model_id, std::int64_t similarity_model_id) {
    auto statement = connection_.prepare(
        std::string("SELECT count(*), total(status = 'ok'), total(status = 'error'), total(status = 'pending'), "
                    "(SELECT count(*) FROM library WHERE model_id = ?), ") +
        "(SELECT count(*) FROM library AS l JOIN features AS f ON f.track_id = l.id WHERE l.model_id = ? AND f.extractor = " +
        std::to_string(core::kFeatureExtractorVersion) + "), "
        "(SELECT count(*) FROM library WHERE model_id = ? AND mood IS NOT NULL), "
        "(SELECT count(*) FROM vectors AS v JOIN tracks AS t ON t.id = v.track_id AND t.status = 'ok' "
        " WHERE v.model_id = ? AND v.similarity_model_id = ?) FROM tracks");
    statement.bind_all(model_id, model_id, model_id, model_id, similarity_model_id);
    statement.step();
    return {statement.column_int64(0), statement.column_int64(1), statement.column_int64(2),
            statement.column_int64(3), statement.column_int64(4), statement.column_int64(5),
            statement.column_int64(6), statement.column_int64(7)};
}

}  // namespace vibed::db
