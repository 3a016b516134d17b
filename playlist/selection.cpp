#include "playlist/selection.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <unordered_set>
#include <utility>

#include "core/util/text_fold.hpp"

namespace vibed::playlist {
namespace {

// FNV-1a: tiny, and unlike std::hash its output is fixed by definition.
class Fnv1a {
public:
    void add(std::string_view bytes) {
        for (const char byte : bytes) add_byte(static_cast<unsigned char>(byte));
    }
    // Little-endian, so the key does not depend on the machine.
    void add(std::uint64_t number) {
        for (int byte = 0; byte < 8; ++byte) add_byte(static_cast<unsigned char>(number >> (8 * byte)));
    }
    [[nodiscard]] std::uint64_t value() const { return state_; }

private:
    void add_byte(unsigned char byte) {
        state_ ^= byte;
        state_ *= 0x100000001b3ULL;
    }

    std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

// splitmix64's finaliser: spreads FNV's weak low bits over the whole word.
std::uint64_t mix(std::uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void dedupe_by_path(std::vector<core::LibraryRow>& rows) {
    std::unordered_set<std::string> seen;
    std::erase_if(rows, [&seen](const core::LibraryRow& row) { return !seen.insert(row.path.native()).second; });
}

void stable_shuffle(std::vector<core::LibraryRow>& rows, const SelectionOptions& options) {
    std::vector<std::pair<std::uint64_t, std::size_t>> keys;
    keys.reserve(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) keys.emplace_back(shuffle_key(options.seed, options.draw, rows[i].path.native()), i);
    // Paths are unique after dedupe, so equal keys (a 2^-64 event) still
    // order deterministically by path.
    std::sort(keys.begin(), keys.end(), [&rows](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : rows[a.second].path < rows[b.second].path;
    });
    std::vector<core::LibraryRow> shuffled;
    shuffled.reserve(rows.size());
    for (const auto& key : keys) shuffled.push_back(std::move(rows[key.second]));
    rows = std::move(shuffled);
}

void apply_limit(std::vector<core::LibraryRow>& rows, const Limit& limit) {
    if (limit.kind == Limit::Kind::Count) {
        if (rows.size() > limit.count) rows.resize(limit.count);
        return;
    }
    double remaining = limit.duration.seconds();
    std::erase_if(rows, [&remaining](const core::LibraryRow& row) {
        const double length = std::max(row.tags.duration_seconds, 0.0);
        if (length > remaining) return true;
        remaining -= length;
        return false;
    });
}

}  // namespace

std::uint64_t shuffle_key(const std::string& seed, std::uint64_t draw, const std::string& path) {
    Fnv1a hash;
    hash.add(seed);
    hash.add(std::string_view("\0", 1));  // keeps ("ab", "c") apart from ("a", "bc")
    hash.add(draw);
    hash.add(path);
    return mix(hash.value());
}

std::vector<core::LibraryRow> select_tracks(std::vector<core::LibraryRow> rows, const Query& query,
                                          const SelectionOptions& options) {
    dedupe_by_path(rows);
    const bool sorted = !query.sort.empty();
    if (query.shuffle && !sorted) stable_shuffle(rows, options);
    if (query.limit) apply_limit(rows, *query.limit);
    if (rows.size() > options.max_entries) rows.resize(options.max_entries);
    if (query.shuffle && sorted) stable_shuffle(rows, options);
    if (options.artist_spread) rows = spread_artists(std::move(rows));
    return rows;
}

std::vector<core::LibraryRow> spread_artists(std::vector<core::LibraryRow> tracks) {
    // Group track indices by artist, keeping order within each artist. Artist
    // names compare as `artist:` matches them: "Sigur Rós" is "SIGUR RÓS".
    std::map<std::string, std::size_t> artist_ids;
    std::vector<std::deque<std::size_t>> queues;
    for (std::size_t i = 0; i < tracks.size(); ++i) {
        const std::string& artist = tracks[i].tags.artist;
        std::size_t id = queues.size();
        if (!artist.empty()) id = artist_ids.try_emplace(util::fold_case(artist), queues.size()).first->second;
        if (id == queues.size()) queues.emplace_back();
        queues[id].push_back(i);
    }

    // (index of the artist's next track, artist) and (tracks left, artist).
    std::set<std::pair<std::size_t, std::size_t>> next_tracks;
    std::set<std::pair<std::size_t, std::size_t>> tracks_left;
    for (std::size_t id = 0; id < queues.size(); ++id) {
        next_tracks.emplace(queues[id].front(), id);
        tracks_left.emplace(queues[id].size(), id);
    }

    auto take = [&](std::size_t id) {
        next_tracks.erase({queues[id].front(), id});
        tracks_left.erase({queues[id].size(), id});
        const std::size_t index = queues[id].front();
        queues[id].pop_front();
        if (!queues[id].empty()) {
            next_tracks.emplace(queues[id].front(), id);
            tracks_left.emplace(queues[id].size(), id);
        }
        return index;
    };

    std::vector<core::LibraryRow> spread;
    spread.reserve(tracks.size());
    std::size_t previous = queues.size();  // no artist yet
    for (std::size_t remaining = tracks.size(); remaining > 0; --remaining) {
        // An artist holding more than half of what is left must be placed
        // now, or its tracks would be forced together later.
        const auto [most, busiest] = *tracks_left.rbegin();
        std::size_t chosen = next_tracks.begin()->second;
        if (most > remaining / 2 && busiest != previous) {
            chosen = busiest;
        } else if (chosen == previous && next_tracks.size() > 1) {
            chosen = std::next(next_tracks.begin())->second;
        }
        spread.push_back(std::move(tracks[take(chosen)]));
        previous = chosen;
    }
    return spread;
}

}  // namespace vibed::playlist
