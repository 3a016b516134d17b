// The compiler against a real SQLite index: user text only ever travels as a
// bound parameter, SQL agrees with evaluate(), and SQLite's limits turn into
// QueryErrors instead of SQLite failures.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <regex>
#include <set>
#include <string>

#include "core/util/text_fold.hpp"
#include "playlist/query/parser.hpp"
#include "playlist/query/query_error.hpp"
#include "playlist/query/sql_compiler.hpp"
#include "tests/playlist/test_library.hpp"
#include "tests/playlist/long_queries.hpp"

namespace vibed::playlist {
namespace {

using testing::TestLibrary;

std::vector<std::string> paths_of(const std::vector<core::LibraryRow>& rows) {
    std::vector<std::string> paths;
    for (const core::LibraryRow& row : rows) paths.push_back(row.path.string());
    return paths;
}

// What evaluate() selects from `rows`, in path order like the SQL default.
std::vector<std::string> evaluated_paths(const Query& query, std::vector<core::LibraryRow> rows) {
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    std::erase_if(rows, [&query](const core::LibraryRow& row) { return !evaluate(query, row); });
    return paths_of(rows);
}

// Every word of the SQL is a column of the `library` view or a fixed SQL
// word, and the only string literal is the '' of ifnull(col, '').
void expect_only_whitelisted_sql(const std::string& sql) {
    static const std::set<std::string> allowed = {
        "acousticness", "danceability", "energy", "instrumentalness", "liveness", "speechiness", "valence",
        "artist", "album", "albumartist", "title", "genre", "path", "year", "duration",
        "AND", "OR", "NOT", "BETWEEN", "GLOB", "ifnull", "instr", util::kFoldCaseSqlFunction, "coalesce", "COLLATE",
        "NOCASE", "ASC", "DESC",
    };
    const std::regex word("[A-Za-z_][A-Za-z_0-9]*");
    for (auto it = std::sregex_iterator(sql.begin(), sql.end(), word); it != std::sregex_iterator(); ++it) {
        EXPECT_TRUE(allowed.contains(it->str())) << "unexpected word '" << it->str() << "' in: " << sql;
    }
    std::string without_empty_literals = std::regex_replace(sql, std::regex("''"), "");
    EXPECT_EQ(without_empty_literals.find_first_of("'\";"), std::string::npos) << sql;
    EXPECT_EQ(std::regex_replace(sql, std::regex("[^0-9]"), "").find_first_not_of("0"), std::string::npos)
        << "a number in: " << sql;
}

TEST(SqlCompiler, UserTextAndNumbersBecomeParameters) {
    const util::SqlFilter filter = compile(parse_query(
        "energy > 0.75 and artist = \"xyzzy\" and (album:\"Plugh\" or path ~ \"*/Jazz/*\") and year:1990..1999 "
        "and not duration < 4m"));
    expect_only_whitelisted_sql(filter.where_sql);
    EXPECT_EQ(filter.where_sql.find("xyzzy"), std::string::npos);
    const std::vector<util::SqlValue> expected = {0.75, std::string("xyzzy"), std::string("Plugh"),
                                                std::string("*/Jazz/*"), 1990.0, 1999.0, 240.0};
    EXPECT_EQ(filter.params, expected);
    EXPECT_EQ(std::count(filter.where_sql.begin(), filter.where_sql.end(), '?'), 7);
}

TEST(SqlCompiler, SortBecomesOrderByWithPathBreakingTies) {
    EXPECT_EQ(compile(parse_query("sort by energy desc, artist")).order_by_sql,
              "energy DESC, vibed_fold(ifnull(artist, '')) ASC, path ASC");
    EXPECT_EQ(compile(parse_query("shuffle")).order_by_sql, "path ASC");
}

TEST(SqlCompiler, NoFilterSelectsEverything) {
    const util::SqlFilter filter = compile(parse_query("limit 10"));
    EXPECT_TRUE(filter.where_sql.empty());
    EXPECT_TRUE(filter.params.empty());
}

TEST(SqlCompiler, QueriesRunOnARealIndex) {
    TestLibrary library;
    core::LibraryRow calm;
    calm.path = "/music/calm.mp3";
    calm.tags.artist = "Miles Davis";
    calm.attributes.energy = 0.2f;
    core::LibraryRow loud = calm;
    loud.path = "/music/loud.mp3";
    loud.tags.artist = "AC/DC";
    loud.attributes.energy = 0.9f;
    library.add({calm, loud});

    EXPECT_EQ(paths_of(library.select(compile(parse_query("energy > 0.7")))), std::vector<std::string>{"/music/loud.mp3"});
    EXPECT_EQ(paths_of(library.select(compile(parse_query("artist:DAVIS")))), std::vector<std::string>{"/music/calm.mp3"});
    EXPECT_EQ(paths_of(library.select(compile(parse_query("sort by energy desc")))),
              (std::vector<std::string>{"/music/loud.mp3", "/music/calm.mp3"}));
}

core::LibraryRow artist_track(const std::string& path, const std::string& artist) {
    core::LibraryRow row;
    row.path = path;
    row.tags.artist = artist;
    return row;
}

TEST(SqlCompiler, ContainsIgnoresUnicodeCase) {
    TestLibrary library;
    library.add({artist_track("/music/bjork.mp3", "Björk"), artist_track("/music/mumiy.mp3", "Мумий Тролль"),
                 artist_track("/music/sigur.mp3", "SIGUR RÓS"), artist_track("/music/cafe.mp3", "Café Tacvba")});
    const std::vector<core::LibraryRow> everything = library.all();
    auto found = [&](const std::string& text) {
        const Query query = parse_query(text);
        const std::vector<std::string> paths = paths_of(library.select(compile(query)));
        EXPECT_EQ(paths, evaluated_paths(query, everything)) << text;
        return paths;
    };
    using Paths = std::vector<std::string>;
    EXPECT_EQ(found("artist:BJÖRK"), Paths{"/music/bjork.mp3"});
    EXPECT_EQ(found("artist:мумий"), Paths{"/music/mumiy.mp3"});
    EXPECT_EQ(found("artist:\"rós\""), Paths{"/music/sigur.mp3"});
    EXPECT_EQ(found("artist:CAFÉ"), Paths{"/music/cafe.mp3"});
    // Accents are part of the letter: no accent stripping.
    EXPECT_EQ(found("artist:cafe"), Paths{});
    EXPECT_EQ(found("artist:bjork"), Paths{});
}

TEST(SqlCompiler, TextSortIgnoresUnicodeCase) {
    TestLibrary library;
    // Byte order (and ASCII-only NOCASE) would put "ÉTIENNE" (0xC3 0x89) before
    // "émile" (0xC3 0xA9) and "Ωmega" before "ωa"; folded, "émile" < "étienne" and "ωa" < "ωmega".
    library.add({artist_track("/music/1.mp3", "ÉTIENNE"), artist_track("/music/2.mp3", "émile"),
                 artist_track("/music/3.mp3", "Ωmega"), artist_track("/music/4.mp3", "ωa"),
                 artist_track("/music/5.mp3", "Zoe")});
    EXPECT_EQ(paths_of(library.select(compile(parse_query("sort by artist")))),
              (std::vector<std::string>{"/music/5.mp3", "/music/2.mp3", "/music/1.mp3", "/music/4.mp3", "/music/3.mp3"}));
}

// ---- injection ------------------------------------------------------------------

TEST(SqlInjection, HostileValuesAreJustValues) {
    TestLibrary library;
    std::mt19937 random(7);
    library.add(testing::random_library(random, 40));
    core::LibraryRow bobby;
    bobby.path = "/music/bobby.mp3";
    bobby.tags.artist = "Robert'); DROP TABLE tracks;--";
    library.add(bobby);
    const std::vector<core::LibraryRow> everything = library.all();

    const std::string hostile[] = {
        "'; DROP TABLE tracks; --",
        "\" OR 1=1 --",
        "') OR ('1'='1",
        "x' OR artist LIKE '%",
        "%",
        "_",
        "Robert'); DROP TABLE tracks;--",
        "1); DELETE FROM attributes WHERE (1",
        "' UNION SELECT name FROM sqlite_master --",
    };
    for (const std::string& value : hostile) {
        std::string escaped;
        for (const char c : value) {
            if (c == '"' || c == '\\') escaped += '\\';
            escaped += c;
        }
        for (const std::string op : {" = ", ":", " ~ ", " != "}) {
            const Query query = parse_query("artist" + op + "\"" + escaped + "\"");
            const util::SqlFilter filter = compile(query);
            expect_only_whitelisted_sql(filter.where_sql);
            EXPECT_EQ(paths_of(library.select(filter)), evaluated_paths(query, everything)) << op << value;
        }
    }
    EXPECT_EQ(paths_of(library.select(compile(parse_query("artist = \"Robert'); DROP TABLE tracks;--\"")))),
              std::vector<std::string>{"/music/bobby.mp3"});
    // LIKE wildcards are plain characters to a contains search.
    for (const core::LibraryRow& row : library.select(compile(parse_query("artist:\"%\"")))) {
        EXPECT_NE(row.tags.artist.find('%'), std::string::npos) << row.tags.artist;
    }
    for (const core::LibraryRow& row : library.select(compile(parse_query("artist:\"_\"")))) {
        EXPECT_NE(row.tags.artist.find('_'), std::string::npos) << row.tags.artist;
    }
    EXPECT_EQ(paths_of(library.all()), paths_of(everything));  // nothing dropped or deleted
}

TEST(SqlInjection, HostileQueryTextIsAParseError) {
    const char* attempts[] = {
        "energy > 0.5; DROP TABLE tracks",
        "energy > 0.5 -- comment",
        "energy > (SELECT 1)",
        "energy > 0.5) OR (1=1",
        "energy > 0.5 UNION SELECT * FROM tracks",
        "sqlite_master:x",
        "energy > 0x10",
    };
    for (const char* attempt : attempts) {
        EXPECT_THROW(parse_query(attempt), QueryError) << attempt;
    }
}

// ---- evaluate() and SQL agree -----------------------------------------------------

class RandomQueries {
public:
    explicit RandomQueries(std::uint32_t seed) : random_(seed) {}

    std::string expression(int depth) {
        const int choice = depth == 0 ? 0 : pick(0, 5);
        switch (choice) {
            case 0:
            case 1: return condition();
            case 2: return "not " + operand(depth);
            case 3:
            case 4: {
                const std::string joiner = pick(0, 1) == 0 ? " and " : " or ";
                std::string text = operand(depth);
                for (int i = pick(1, 3); i > 0; --i) text += joiner + operand(depth);
                return text;
            }
            default: return "(" + expression(depth - 1) + ")";
        }
    }

private:
    int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
    template <typename T>
    const T& pick(const std::vector<T>& options) {
        return options[static_cast<std::size_t>(pick(0, static_cast<int>(options.size()) - 1))];
    }

    std::string operand(int depth) { return "(" + expression(depth - 1) + ")"; }

    std::string condition() {
        static const std::vector<std::string> attributes = {"acousticness", "danceability", "energy",
                                                            "instrumentalness", "liveness", "speechiness", "valence"};
        static const std::vector<std::string> texts = {"artist", "album", "albumartist", "title", "genre", "path"};
        static const std::vector<std::string> operators = {" < ", " <= ", " > ", " >= ", " = ", " != "};
        static const std::vector<std::string> probabilities = {"happy", "tense", "sad", "calm", "mood_valence",
                                                               "mood_arousal", "key_strength"};
        switch (pick(0, 5)) {
            case 4: {
                if (pick(0, 1) == 0) return "bpm" + pick(operators) + std::to_string(pick(0, 200));
                return "loudness" + pick(operators) + std::to_string(-pick(0, 30));
            }
            case 5: {
                static const std::vector<std::string> named = {"mood = sad", "mood != calm", "mood = happy", "mode = minor",
                                                               "mode != major", "key = \"A minor\"", "key = cm",
                                                               "key:minor", "majorness < 0", "majorness:-0.5..0.5"};
                return pick(named);
            }
            case 0: {
                const std::string field = pick(0, 1) == 0 ? pick(attributes) : pick(probabilities);
                if (pick(0, 2) == 0) return field + ":" + fraction() + ".." + (pick(0, 1) ? "" : "1");
                return field + pick(operators) + fraction();
            }
            case 1: {
                if (pick(0, 1) == 0) return "year" + pick(operators) + std::to_string(pick(0, 2030));
                return "duration" + pick(operators) + std::to_string(pick(0, 15)) + (pick(0, 1) ? "m" : "");
            }
            default: {
                const std::string field = pick(texts);
                static const std::vector<std::string> text_ops = {" = ", " != ", ":", " ~ "};
                const std::string op = pick(text_ops);
                return field + op + quoted(op == " ~ " ? glob_pattern() : fragment());
            }
        }
    }

    std::string fraction() {
        const int hundredths = pick(0, 100);
        return hundredths == 100 ? "1" : "0." + std::string(hundredths < 10 ? "0" : "") + std::to_string(hundredths);
    }

    std::string fragment() {
        const std::string& name = pick(testing::kTrickyNames);
        if (name.empty() || pick(0, 2) == 0) return name;
        // Cut on character boundaries: queries must be valid UTF-8.
        auto is_continuation = [&name](std::size_t i) { return i < name.size() && (name[i] & 0xC0) == 0x80; };
        std::size_t start = static_cast<std::size_t>(pick(0, static_cast<int>(name.size()) - 1));
        std::size_t end = std::min(name.size(), start + static_cast<std::size_t>(pick(1, 5)));
        while (is_continuation(start)) --start;
        while (is_continuation(end)) ++end;
        return name.substr(start, end - start);
    }

    std::string glob_pattern() {
        static const std::vector<std::string> pieces = {"*", "*", "?", "[a-m]", "[^a]", "[]x]", "a", "M", "ö", "/",
                                                        "Jazz", "%", "_", "Davis", "[", "music", "]"};
        std::string pattern;
        for (int i = pick(1, 5); i > 0; --i) pattern += pick(pieces);
        return pattern;
    }

    static std::string quoted(const std::string& text) {
        std::string result = "\"";
        for (const char c : text) {
            if (c == '"' || c == '\\') result += '\\';
            result += c;
        }
        return result + "\"";
    }

    std::mt19937 random_;
};

TEST(SqlAgreesWithEvaluate, OnRandomQueriesOverARandomLibrary) {
    TestLibrary library;
    std::mt19937 random(20261121);
    library.add(testing::random_library(random, 300));
    const std::vector<core::LibraryRow> everything = library.all();
    ASSERT_EQ(everything.size(), 300u);

    RandomQueries queries(42);
    std::size_t nonempty = 0;
    for (int i = 0; i < 600; ++i) {
        const std::string text = queries.expression(3);
        const Query query = parse_query(text);
        const std::vector<std::string> expected = evaluated_paths(query, everything);
        EXPECT_EQ(paths_of(library.select(compile(query))), expected) << text;
        if (!expected.empty() && expected.size() < everything.size()) ++nonempty;
    }
    // The generator must produce discriminating queries, or the test proves little.
    EXPECT_GT(nonempty, 200u);
}

// ---- SQLite's limits --------------------------------------------------------------

using test::chain;

class SqliteLimits : public ::testing::Test {
protected:
    void SetUp() override {
        std::mt19937 random(3);
        library_.add(testing::random_library(random, 50));
        everything_ = library_.all();
    }

    // Either the compiler refuses the query, or SQLite runs it and agrees
    // with evaluate(); never a SQLite error. Returns whether it ran.
    bool runs_or_is_refused(const std::string& text) {
        const Query query = parse_query(text);
        util::SqlFilter filter;
        try {
            filter = compile(query);
        } catch (const QueryError& error) {
            EXPECT_NE(std::string(error.what()).find("for SQLite"), std::string::npos) << error.what();
            return false;
        }
        EXPECT_EQ(paths_of(library_.select(filter)), evaluated_paths(query, everything_));
        return true;
    }

    TestLibrary library_;
    std::vector<core::LibraryRow> everything_;
};

TEST_F(SqliteLimits, AsManyTermsAsAllowedRun) {
    EXPECT_TRUE(runs_or_is_refused(chain(kMaxConditions, " or ")));
    EXPECT_TRUE(runs_or_is_refused(chain(kMaxConditions, " and ")));
    EXPECT_TRUE(runs_or_is_refused(chain(kMaxConditions / 2, " or ") + " and " + chain(kMaxConditions / 2, " or ")));
}

TEST_F(SqliteLimits, DeepestNestingTheParserAllowsRuns) {
    // and/or alternating at every level, a long chain at the bottom.
    std::string alternating = chain(kMaxConditions - kMaxNesting, " or ");
    for (std::size_t level = 0; level < kMaxNesting; ++level) {
        alternating = "energy > 0.5 " + std::string(level % 2 ? "or" : "and") + " (" + alternating + ")";
    }
    EXPECT_TRUE(runs_or_is_refused(alternating));

    std::string negations = chain(500, " or ");
    for (std::size_t level = 0; level < kMaxNesting / 2; ++level) {
        negations = "energy > 0.5 and not (" + negations + ")";
    }
    EXPECT_TRUE(runs_or_is_refused(negations));
}

TEST_F(SqliteLimits, WideChainsAtEveryLevelAreRefusedNotFailed) {
    // Many levels that each hold a long chain: deep in SQLite's expression
    // tree. Each size must either run or be refused cleanly, and the
    // largest must be refused.
    bool refused_any = false;
    for (std::size_t width : {8u, 32u, 50u, 61u}) {
        std::string query = "energy > 0.5";
        for (std::size_t level = 0; level < kMaxNesting; ++level) {
            query = chain(width, level % 2 ? " or " : " and ") + (level % 2 ? " or (" : " and (") + query + ")";
        }
        refused_any |= !runs_or_is_refused(query);
    }
    EXPECT_TRUE(refused_any);
}

}  // namespace
}  // namespace vibed::playlist
