// Reading tracks back: the library view's rows the playlist engine and the
// similarity search work on, and whole track records for export and
// `vibectl explain`.
#include <algorithm>
#include <unordered_map>

#include "db/index.hpp"
#include "db/row_columns.hpp"

namespace vibed::db {
namespace fs = std::filesystem;

std::vector<LibraryRow> Index::select_library(std::int64_t model_id, const SqlFilter& filter) {
    std::string sql = "SELECT id, path, ifnull(added_at, 0), " + std::string(kTagColumns) + ", " + attribute_columns() + ", " +
                      feature_columns() + ", " + std::string(kMoodColumns) + " FROM library WHERE model_id = ?";
    if (!filter.where_sql.empty()) sql += " AND (" + filter.where_sql + ")";
    sql += " ORDER BY " + (filter.order_by_sql.empty() ? std::string("path") : filter.order_by_sql);

    std::vector<SqlValue> values{model_id};
    values.insert(values.end(), filter.params.begin(), filter.params.end());
    auto statement = connection_.prepare(sql);
    statement.bind_values(values);

    std::vector<LibraryRow> rows;
    while (statement.step()) {
        constexpr int kAttributesAt = 3 + kTagColumnCount;
        constexpr int kFeaturesAt = kAttributesAt + static_cast<int>(core::kAttributeCount);
        constexpr int kMoodsAt = kFeaturesAt + static_cast<int>(core::kFeatureCount);
        rows.push_back({statement.column_int64(0), statement.column_text(1), read_tags(statement, 3),
                        read_attributes(statement, kAttributesAt), read_features(statement, kFeaturesAt),
                        read_moods(statement, kMoodsAt), statement.column_int64(2)});
    }
    return rows;
}

std::vector<LibraryRow> Index::library_rows(std::int64_t model_id, std::span<const std::int64_t> track_ids) {
    std::vector<LibraryRow> ordered;
    // Bounded batches: SQLite allows 32,766 parameters per statement.
    constexpr std::size_t kBatch = 500;
    for (std::size_t first = 0; first < track_ids.size(); first += kBatch) {
        const auto batch = track_ids.subspan(first, std::min(kBatch, track_ids.size() - first));
        SqlFilter filter;
        filter.where_sql = "id IN (";
        for (std::size_t i = 0; i < batch.size(); ++i) {
            filter.where_sql += i == 0 ? "?" : ", ?";
            filter.params.emplace_back(batch[i]);
        }
        filter.where_sql += ")";
        auto rows = select_library(model_id, filter);
        std::unordered_map<std::int64_t, std::size_t> position;
        for (std::size_t i = 0; i < rows.size(); ++i) position.emplace(rows[i].id, i);
        for (const std::int64_t id : batch) {
            if (const auto found = position.find(id); found != position.end()) ordered.push_back(rows[found->second]);
        }
    }
    return ordered;
}

namespace {

std::string track_select() {
    return "SELECT t.id, t.path, t.size, t.mtime_ns, t.status, t.error, t.analyzed_at, ifnull(t.added_at, 0), " +
           std::string(kTagColumns) +
           ", a.track_id IS NOT NULL, " + attribute_columns("a.") + ", " + feature_columns("f.") + ", " +
           std::string(kMoodColumns) +
           " FROM tracks AS t LEFT JOIN attributes AS a ON a.track_id = t.id AND a.model_id = ?"
           " LEFT JOIN features AS f ON f.track_id = t.id"
           " LEFT JOIN moods AS m ON m.track_id = t.id AND m.model_id = a.model_id";
}

TrackRecord read_track(const Statement& statement) {
    constexpr int kTagsAt = 8;
    constexpr int kHasAttributesAt = kTagsAt + kTagColumnCount;
    TrackRecord track;
    track.id = statement.column_int64(0);
    track.path = statement.column_text(1);
    track.size = statement.column_int64(2);
    track.mtime_ns = statement.column_int64(3);
    track.status = parse_status(statement.column_text(4));
    track.error = statement.column_text(5);
    if (!statement.is_null(6)) track.analyzed_at = statement.column_int64(6);
    track.added_at = statement.column_int64(7);
    track.tags = read_tags(statement, kTagsAt);
    constexpr int kFeaturesAt = kHasAttributesAt + 1 + static_cast<int>(core::kAttributeCount);
    constexpr int kMoodsAt = kFeaturesAt + static_cast<int>(core::kFeatureCount);
    if (statement.column_int64(kHasAttributesAt) != 0) {
        track.attributes = read_attributes(statement, kHasAttributesAt + 1);
        track.moods = read_moods(statement, kMoodsAt);
    }
    track.features = read_features(statement, kFeaturesAt);
    return track;
}

}  // namespace

std::optional<TrackRecord> Index::find_track(const fs::path& path, std::int64_t model_id) {
    auto statement = connection_.prepare(track_select() + " WHERE t.path = ?");
    statement.bind_all(model_id, path.string());
    if (!statement.step()) return std::nullopt;
    return read_track(statement);
}

void Index::for_each_track(std::int64_t model_id, const std::function<void(const TrackRecord&)>& visit) {
    auto statement = connection_.prepare(track_select() + " ORDER BY t.path");
    statement.bind_all(model_id);
    while (statement.step()) visit(read_track(statement));
}

std::vector<TrackRecord> Index::all_tracks(std::int64_t model_id) {
    std::vector<TrackRecord> tracks;
    for_each_track(model_id, [&](const TrackRecord& track) { tracks.push_back(track); });
    return tracks;
}

}  // namespace vibed::db
