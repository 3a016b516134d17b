#include "playlist/similarity/radio.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <unordered_map>

#include "core/util/text_fold.hpp"
#include "playlist/similarity/neighbours.hpp"

namespace vibed::playlist {
namespace {

// However long the limit, a walk stops here: each pick scans every candidate,
// and tracks without a known length would never fill a duration.
constexpr std::size_t kMaxWalkTracks = 1000;
// A mood ramp picks among the tracks (at most this many) whose mood is within
// kMoodTolerance of the closest one to where the ramp should be: loose enough to
// choose the smoothest, tight enough that smoothness never walks the ramp back.
constexpr std::size_t kMoodShortlist = 16;
constexpr double kMoodTolerance = 0.05;
// How strongly a radio is pulled back towards its seeds (against 1 for the last pick).
constexpr double kSeedPull = 0.5;

double length_of(const core::LibraryRow& row) { return std::max(row.tags.duration_seconds, 0.0); }

// What every walk through the candidates shares: the playlist so far, no
// track twice, the artist gap and the limit. Each pick scans every candidate,
// so what a scan asks of one is a flag and two integers, never a string.
class Walk {
public:
    Walk(const std::vector<SpaceTrack>& candidates, std::size_t artist_gap, const std::optional<Limit>& limit,
         std::size_t default_count)
        : candidates_(candidates), artist_gap_(artist_gap), taken_(candidates.size(), false) {
        if (limit && limit->kind == Limit::Kind::Duration) {
            seconds_ = limit->duration.seconds();
        } else {
            count_ = limit ? limit->count : default_count;
        }
        count_ = std::min(count_, kMaxWalkTracks);
        artists_.reserve(candidates.size());
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            artists_.push_back(artist_id(candidates[i].row));
            candidates_by_path_.emplace(candidates[i].row.path.string(), i);
        }
    }

    // Appends a track (a seed, an end point or a pick).
    void take(const SpaceTrack& track) {
        rows_.push_back(track.row);
        elapsed_ += length_of(track.row);
        exclude(track.row.path.string());
        recent_artists_.push_back(artist_id(track.row));
        while (recent_artists_.size() > artist_gap_) recent_artists_.pop_front();
    }
    void take(std::size_t candidate) { take(candidates_[candidate]); }

    // Keeps a path out of the picks (a seed, an end point appended later).
    void exclude(const std::string& path) {
        const auto [first, last] = candidates_by_path_.equal_range(path);
        for (auto it = first; it != last; ++it) taken_[it->second] = true;
    }
    // Keeps one candidate out (a track a mood ramp cannot place).
    void exclude(std::size_t candidate) { taken_[candidate] = true; }

    // Whether another pick fits, keeping `reserve_tracks` for what comes after.
    [[nodiscard]] bool room(std::size_t reserve_tracks = 0) const {
        if (rows_.size() >= kMaxWalkTracks) return false;
        return seconds_ > 0 || rows_.size() + reserve_tracks < count_;
    }

    // The eligible candidate with the lowest score: not played, fitting in
    // the time left after `reserve_seconds`, its artist not among the last
    // `artist_gap` (unless no candidate passes that). nullopt when none fits.
    template <typename Score>
    std::optional<std::size_t> best(Score&& score, double reserve_seconds = 0) const {
        for (const bool spread : {true, false}) {
            std::optional<std::size_t> chosen;
            double chosen_score = std::numeric_limits<double>::infinity();
            for (std::size_t i = 0; i < candidates_.size(); ++i) {
                if (!eligible(i, spread, reserve_seconds)) continue;
                const double s = score(i);
                if (s < chosen_score) {
                    chosen = i;
                    chosen_score = s;
                }
            }
            if (chosen || artist_gap_ == 0) return chosen;
        }
        return std::nullopt;
    }

    // Every eligible candidate (artist gap relaxed when nobody passes it).
    [[nodiscard]] std::vector<std::size_t> eligible_candidates(double reserve_seconds = 0) const {
        for (const bool spread : {true, false}) {
            std::vector<std::size_t> found;
            for (std::size_t i = 0; i < candidates_.size(); ++i) {
                if (eligible(i, spread, reserve_seconds)) found.push_back(i);
            }
            if (!found.empty() || artist_gap_ == 0) return found;
        }
        return {};
    }

    // Where the playlist is along a journey of the limit's duration (after
    // `reserve_seconds` for the end) or count: 0 at the start, 1 at the end.
    [[nodiscard]] double progress(double reserve_seconds) const {
        if (seconds_ > 0) {
            const double span = seconds_ - reserve_seconds;
            return span > 0 ? std::clamp(elapsed_ / span, 0.0, 1.0) : 1.0;
        }
        return count_ > 1 ? std::clamp(static_cast<double>(rows_.size()) / static_cast<double>(count_ - 1), 0.0, 1.0)
                          : 1.0;
    }

    std::vector<core::LibraryRow> finish() { return std::move(rows_); }

private:
    // Artists compare as `artist:` matches them ("Sigur Rós" is "SIGUR RÓS");
    // -1: unknown, never clashes.
    int artist_id(const core::LibraryRow& row) {
        if (row.tags.artist.empty()) return -1;
        return artist_ids_.try_emplace(util::fold_case(row.tags.artist), static_cast<int>(artist_ids_.size()))
            .first->second;
    }

    [[nodiscard]] bool eligible(std::size_t i, bool spread, double reserve_seconds) const {
        if (taken_[i]) return false;
        if (seconds_ > 0 && elapsed_ + length_of(candidates_[i].row) + reserve_seconds > seconds_) return false;
        if (spread && artists_[i] >= 0 &&
            std::find(recent_artists_.begin(), recent_artists_.end(), artists_[i]) != recent_artists_.end()) {
            return false;
        }
        return true;
    }

    const std::vector<SpaceTrack>& candidates_;
    std::size_t artist_gap_;
    std::size_t count_ = 0;  // with a count limit
    double seconds_ = 0;     // with a duration limit
    double elapsed_ = 0;
    std::vector<bool> taken_;  // played, excluded, or the same file as one of those
    std::vector<int> artists_;  // per candidate
    std::unordered_map<std::string, int> artist_ids_;
    std::unordered_multimap<std::string, std::size_t> candidates_by_path_;
    std::deque<int> recent_artists_;
    std::vector<core::LibraryRow> rows_;
};

std::vector<float> lerp(std::span<const float> a, std::span<const float> b, double t) {
    std::vector<float> point(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) point[i] = static_cast<float>(a[i] + (b[i] - a[i]) * t);
    return point;
}

// sum(weights[i] * vectors[i]) / sum(weights).
std::vector<float> weighted_centroid(const std::vector<std::span<const float>>& vectors,
                                     const std::vector<double>& weights) {
    std::vector<double> sum(vectors.front().size(), 0.0);
    double total = 0;
    for (std::size_t k = 0; k < vectors.size(); ++k) {
        for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += weights[k] * vectors[k][i];
        total += weights[k];
    }
    std::vector<float> centroid(sum.size());
    for (std::size_t i = 0; i < sum.size(); ++i) centroid[i] = static_cast<float>(sum[i] / total);
    return centroid;
}

}  // namespace

std::vector<core::LibraryRow> radio(const std::vector<SpaceTrack>& seeds, const std::vector<SpaceTrack>& candidates,
                                  const RadioOptions& options) {
    if (seeds.empty()) return {};
    Walk walk(candidates, options.artist_gap, options.limit, kDefaultRadioTracks);
    // The tracks the centroid is taken over, most recent last.
    std::vector<std::span<const float>> recent;
    for (const auto& seed : seeds) {
        if (options.include_seeds) {
            walk.take(seed);
        } else {
            walk.exclude(seed.row.path.string());
        }
        recent.emplace_back(seed.vector);
    }
    std::vector<std::span<const float>> seed_vectors(recent);
    const std::vector<float> seeds_centre = weighted_centroid(seed_vectors, std::vector<double>(seeds.size(), 1.0));
    const std::size_t memory = std::max<std::size_t>(options.memory, 1);
    while (walk.room()) {
        // The last few tracks, the latest weighing 1, the one before 1/2, ...; then the seeds' pull.
        std::vector<std::span<const float>> points;
        std::vector<double> weights;
        const std::size_t first = recent.size() > memory ? recent.size() - memory : 0;
        for (std::size_t k = first; k < recent.size(); ++k) {
            points.push_back(recent[k]);
            weights.push_back(std::pow(0.5, static_cast<double>(recent.size() - 1 - k)));
        }
        points.emplace_back(seeds_centre);
        weights.push_back(kSeedPull);
        const std::vector<float> target = weighted_centroid(points, weights);
        const auto pick = walk.best([&](std::size_t i) { return squared_distance(candidates[i].vector, target); });
        if (!pick) break;
        walk.take(*pick);
        recent.emplace_back(candidates[*pick].vector);
    }
    return walk.finish();
}

std::vector<core::LibraryRow> journey(const SpaceTrack& from, const SpaceTrack& to,
                                    const std::vector<SpaceTrack>& candidates, const JourneyOptions& options) {
    Walk walk(candidates, options.artist_gap, options.limit, kDefaultJourneyTracks);
    walk.take(from);
    if (to.row.path == from.row.path) return walk.finish();
    walk.exclude(to.row.path.string());
    const double reserve = length_of(to.row);
    while (walk.room(1)) {
        // Where on the line from `from` to `to` the next track should be.
        const double step_share = walk.progress(reserve);
        const std::vector<float> target = lerp(from.vector, to.vector, step_share);
        const auto pick = walk.best([&](std::size_t i) { return squared_distance(candidates[i].vector, target); }, reserve);
        if (!pick) break;
        walk.take(*pick);
    }
    walk.take(to);
    return walk.finish();
}

namespace {

struct NamedMoodPoint {
    std::string_view name;
    MoodPoint point;
};

// Perceived valence and arousal of each name: the four quadrants' centres,
// and the edges people ask for ("from calm to energetic").
constexpr std::array<NamedMoodPoint, 9> kMoodPoints = {{
    {"happy", {0.75, 0.75}},
    {"tense", {0.25, 0.75}},
    {"sad", {0.25, 0.25}},
    {"calm", {0.75, 0.25}},
    {"energetic", {0.6, 0.9}},
    {"soft", {0.55, 0.15}},
    {"bright", {0.85, 0.65}},
    {"dark", {0.15, 0.5}},
    {"steady", {0.55, 0.5}},  // the middle, a little on the bright side: an afternoon's background
}};

double mood_distance(const core::Moods& moods, MoodPoint point) {
    const double dv = moods.valence - point.valence;
    const double da = moods.arousal - point.arousal;
    return dv * dv + da * da;
}

}  // namespace

std::optional<MoodPoint> mood_point(std::string_view name) {
    const std::string folded = util::fold_case(name);
    for (const auto& named : kMoodPoints) {
        if (named.name == folded) return named.point;
    }
    return std::nullopt;
}

std::string mood_point_names() {
    std::string names;
    for (const auto& named : kMoodPoints) names += (names.empty() ? "" : ", ") + std::string(named.name);
    return names;
}

std::vector<core::LibraryRow> mood_ramp(MoodPoint from, MoodPoint to, const std::vector<SpaceTrack>& candidates,
                                      const JourneyOptions& options) {
    Walk walk(candidates, options.artist_gap, options.limit, kDefaultJourneyTracks);
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (!candidates[i].row.moods) walk.exclude(i);  // cannot be placed on the ramp
    }
    std::optional<std::size_t> previous;
    while (walk.room()) {
        const double t = walk.progress(0);
        const MoodPoint target{from.valence + (to.valence - from.valence) * t,
                               from.arousal + (to.arousal - from.arousal) * t};
        // The tracks closest in mood to where the ramp should be by now ...
        std::vector<std::pair<double, std::size_t>> shortlist;
        for (const std::size_t i : walk.eligible_candidates()) {
            shortlist.emplace_back(mood_distance(*candidates[i].row.moods, target), i);
        }
        if (shortlist.empty()) break;
        const std::size_t keep = std::min(kMoodShortlist, shortlist.size());
        std::partial_sort(shortlist.begin(), shortlist.begin() + static_cast<std::ptrdiff_t>(keep), shortlist.end());
        shortlist.resize(keep);
        const double cutoff = std::pow(std::sqrt(shortlist.front().first) + kMoodTolerance, 2);
        std::erase_if(shortlist, [cutoff](const auto& entry) { return entry.first > cutoff; });
        // ... and of those, the one that sounds most like the previous pick.
        std::size_t pick = shortlist.front().second;
        if (previous) {
            double closest = std::numeric_limits<double>::infinity();
            for (const auto& [unused, i] : shortlist) {
                const double d = squared_distance(candidates[i].vector, candidates[*previous].vector);
                if (d < closest) {
                    closest = d;
                    pick = i;
                }
            }
        }
        walk.take(pick);
        previous = pick;
    }
    return walk.finish();
}

}  // namespace vibed::playlist
