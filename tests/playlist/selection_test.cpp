// Playlist selection: stable shuffle, limits, cap, dedupe and artist spread.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>

#include "core/util/text_fold.hpp"
#include "playlist/query/parser.hpp"
#include "playlist/selection.hpp"

namespace vibed::playlist {
namespace {

core::LibraryRow track(const std::string& path, const std::string& artist = "", double seconds = 200) {
    core::LibraryRow row;
    row.path = path;
    row.tags.artist = artist;
    row.tags.duration_seconds = seconds;
    return row;
}

std::vector<core::LibraryRow> numbered_tracks(std::size_t count) {
    std::vector<core::LibraryRow> rows;
    for (std::size_t i = 0; i < count; ++i) rows.push_back(track("/music/" + std::to_string(i) + ".mp3"));
    return rows;
}

std::vector<std::string> paths_of(const std::vector<core::LibraryRow>& rows) {
    std::vector<std::string> paths;
    for (const core::LibraryRow& row : rows) paths.push_back(row.path.string());
    return paths;
}

std::vector<std::string> select(const std::vector<core::LibraryRow>& rows, std::string_view query,
                                const SelectionOptions& options = {"Morning Mix"}) {
    return paths_of(select_tracks(rows, parse_query(query), options));
}

TEST(Selection, WithoutClausesKeepsTheSqlOrder) {
    const auto rows = numbered_tracks(20);
    EXPECT_EQ(select(rows, ""), paths_of(rows));
}

TEST(Selection, ShuffleIsStableAndIndependentOfInputOrder) {
    const auto rows = numbered_tracks(200);
    const auto shuffled = select(rows, "shuffle");
    EXPECT_NE(shuffled, paths_of(rows));
    auto sorted = shuffled;
    std::sort(sorted.begin(), sorted.end());
    auto original = paths_of(rows);
    std::sort(original.begin(), original.end());
    EXPECT_EQ(sorted, original);  // a permutation

    auto reversed = rows;
    std::reverse(reversed.begin(), reversed.end());
    EXPECT_EQ(select(reversed, "shuffle"), shuffled);
    EXPECT_EQ(select(rows, "shuffle"), shuffled);
}

TEST(Selection, ANewDrawOrAnotherPlaylistShufflesDifferently) {
    const auto rows = numbered_tracks(200);
    const auto first = select(rows, "shuffle", {"Morning Mix", 0});
    EXPECT_NE(select(rows, "shuffle", {"Morning Mix", 1}), first);
    EXPECT_NE(select(rows, "shuffle", {"Driving Vibes", 0}), first);
}

TEST(Selection, AddingATrackDoesNotReshuffleTheOthers) {
    auto rows = numbered_tracks(200);
    const auto before = select(rows, "shuffle");
    rows.push_back(track("/music/new.mp3"));
    auto after = select(rows, "shuffle");
    std::erase(after, std::string("/music/new.mp3"));
    EXPECT_EQ(after, before);

    // With a limit, the new track can displace at most one of the chosen.
    const auto limited_before = select(numbered_tracks(200), "shuffle limit 20");
    const auto limited_after = select(rows, "shuffle limit 20");
    std::set<std::string> before_set(limited_before.begin(), limited_before.end());
    const auto kept = std::count_if(limited_after.begin(), limited_after.end(),
                                    [&](const std::string& path) { return before_set.contains(path); });
    EXPECT_GE(kept, 19);
}

TEST(Selection, ShuffleKeyIsPinned) {
    // Playlists must not reshuffle after an upgrade, so the key is pinned to
    // its definition: splitmix64-finalised FNV-1a over seed, NUL, draw as
    // 8 little-endian bytes, path. The value was computed independently
    // (Python) from that definition.
    EXPECT_EQ(shuffle_key("Morning Mix", 3, "/music/Björk/Jóga.flac"), 0x59395cbb57b1bb5bULL);
    EXPECT_NE(shuffle_key("ab", 0, "c"), shuffle_key("a", 0, "bc"));
}

TEST(Selection, EachPathOnceFirstOccurrenceWins) {
    auto rows = numbered_tracks(5);
    rows.push_back(track("/music/2.mp3", "duplicate"));
    rows.insert(rows.begin(), track("/music/4.mp3", "first"));
    const auto selected = select_tracks(rows, parse_query(""), {"x"});
    ASSERT_EQ(selected.size(), 5u);
    EXPECT_EQ(selected.front().path, "/music/4.mp3");
    EXPECT_EQ(selected.front().tags.artist, "first");
}

TEST(Selection, CountLimit) {
    EXPECT_EQ(select(numbered_tracks(100), "limit 7"), paths_of(numbered_tracks(7)));
    EXPECT_EQ(select(numbered_tracks(3), "limit 7").size(), 3u);
}

TEST(Selection, DurationLimitSkipsTracksThatWouldOverflow) {
    const std::vector<core::LibraryRow> rows = {track("/a", "", 100), track("/b", "", 400), track("/c", "", 100),
                                              track("/d", "", 50), track("/e", "", 60)};
    EXPECT_EQ(select(rows, "limit 250s"), (std::vector<std::string>{"/a", "/c", "/d"}));
    EXPECT_EQ(select(rows, "limit 1h").size(), 5u);

    auto many = numbered_tracks(100);  // 200 s each
    const auto ninety_minutes = select_tracks(many, parse_query("limit 90m"), {"x"});
    double total = 0;
    for (const auto& row : ninety_minutes) total += row.tags.duration_seconds;
    EXPECT_EQ(ninety_minutes.size(), 27u);  // 27 * 200 s = 90 min
    EXPECT_LE(total, 5400);
}

TEST(Selection, CappedAtMaxEntries) {
    const auto rows = numbered_tracks(kDefaultMaxEntries + 100);
    EXPECT_EQ(select(rows, "").size(), kDefaultMaxEntries);
    EXPECT_EQ(select(rows, "shuffle limit 20000").size(), kDefaultMaxEntries);
    SelectionOptions small{"x"};
    small.max_entries = 10;
    EXPECT_EQ(select(rows, "limit 50", small).size(), 10u);
}

TEST(Selection, SortChoosesAndShuffleOrders) {
    // Rows arrive in SQL order (the sort); the limit keeps the top ones and
    // the shuffle then mixes only those.
    const auto rows = numbered_tracks(100);
    const auto chosen = select(rows, "sort by energy desc shuffle limit 10");
    std::set<std::string> expected;
    for (std::size_t i = 0; i < 10; ++i) expected.insert(rows[i].path.string());
    EXPECT_EQ(std::set<std::string>(chosen.begin(), chosen.end()), expected);
    EXPECT_NE(chosen, paths_of(std::vector<core::LibraryRow>(rows.begin(), rows.begin() + 10)));
}

// ---- artist spread ------------------------------------------------------------------

std::size_t adjacent_repeats(const std::vector<core::LibraryRow>& rows) {
    std::size_t repeats = 0;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto& a = rows[i - 1].tags.artist;
        const auto& b = rows[i].tags.artist;
        if (!a.empty() && util::fold_case(a) == util::fold_case(b)) {
            ++repeats;
        }
    }
    return repeats;
}

std::vector<core::LibraryRow> tracks_by(const std::string& artists) {
    std::vector<core::LibraryRow> rows;
    for (std::size_t i = 0; i < artists.size(); ++i) rows.push_back(track("/" + std::to_string(i), std::string(1, artists[i])));
    return rows;
}

std::string artists_of(const std::vector<core::LibraryRow>& rows) {
    std::string artists;
    for (const auto& row : rows) artists += row.tags.artist.empty() ? '-' : row.tags.artist[0];
    return artists;
}

TEST(ArtistSpread, SeparatesNeighboursKeepingOrderOtherwise) {
    EXPECT_EQ(artists_of(spread_artists(tracks_by("AABB"))), "ABAB");
    EXPECT_EQ(artists_of(spread_artists(tracks_by("ABCABC"))), "ABCABC");  // nothing to fix
    EXPECT_EQ(artists_of(spread_artists(tracks_by("AAAB"))), "ABAA");      // as few repeats as possible
    EXPECT_EQ(artists_of(spread_artists(tracks_by("BBAAA"))), "ABABA");    // A must lead or repeat
}

TEST(ArtistSpread, ComparesArtistsIgnoringCaseAndNeverClashesUnknownArtists) {
    std::vector<core::LibraryRow> rows = {track("/1", "Björk"), track("/2", "björk"), track("/3", "Air")};
    EXPECT_EQ(paths_of(spread_artists(rows)), (std::vector<std::string>{"/1", "/3", "/2"}));
    const std::vector<core::LibraryRow> unknown = {track("/1"), track("/2"), track("/3")};
    EXPECT_EQ(paths_of(spread_artists(unknown)), paths_of(unknown));
}

TEST(ArtistSpread, IgnoresNonAsciiCaseToo) {
    const std::vector<core::LibraryRow> rows = {track("/1", "Sigur Rós"), track("/2", "SIGUR RÓS"),
                                              track("/3", "Мумий Тролль"), track("/4", "МУМИЙ ТРОЛЛЬ")};
    EXPECT_EQ(paths_of(spread_artists(rows)), (std::vector<std::string>{"/1", "/3", "/2", "/4"}));
}

TEST(ArtistSpread, MinimalRepeatsOnRandomPlaylists) {
    std::mt19937 random(11);
    for (int round = 0; round < 300; ++round) {
        const int size = std::uniform_int_distribution<int>(1, 40)(random);
        const int artists = std::uniform_int_distribution<int>(1, 6)(random);
        std::string letters;
        for (int i = 0; i < size; ++i) letters += static_cast<char>('A' + std::uniform_int_distribution<int>(0, artists - 1)(random));
        const auto rows = tracks_by(letters);
        const auto spread = spread_artists(rows);

        std::map<char, int> counts;
        for (const char c : letters) ++counts[c];
        int most = 0;
        for (const auto& [artist, count] : counts) most = std::max(most, count);
        const auto unavoidable = static_cast<std::size_t>(std::max(0, 2 * most - size - 1));
        EXPECT_EQ(adjacent_repeats(spread), unavoidable) << letters << " -> " << artists_of(spread);

        auto sorted_in = paths_of(rows);
        auto sorted_out = paths_of(spread);
        std::sort(sorted_in.begin(), sorted_in.end());
        std::sort(sorted_out.begin(), sorted_out.end());
        EXPECT_EQ(sorted_out, sorted_in) << letters;
    }
}

TEST(ArtistSpread, AppliedBySelectTracksWhenAsked) {
    SelectionOptions options{"x"};
    options.artist_spread = true;
    const auto selected = select_tracks(tracks_by("AABBCC"), parse_query(""), options);
    EXPECT_EQ(adjacent_repeats(selected), 0u);
    EXPECT_EQ(artists_of(selected), artists_of(spread_artists(tracks_by("AABBCC"))));
}

}  // namespace
}  // namespace vibed::playlist
