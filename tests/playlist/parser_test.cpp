// The query language front end: every construct, precedence, printing back,
// and errors that point at the right column.

#include <gtest/gtest.h>

#include <string>

#include "playlist/query/lexer.hpp"
#include "playlist/query/parser.hpp"
#include "playlist/query/query_error.hpp"
#include "tests/playlist/long_queries.hpp"

namespace vibed::playlist {
namespace {

std::string canonical(std::string_view query) { return to_string(parse_query(query)); }

QueryError error_of(std::string_view query) {
    try {
        parse_query(query);
    } catch (const QueryError& error) {
        return error;
    }
    ADD_FAILURE() << "no error for: " << query;
    return QueryError(std::string_view::npos, "");
}

const Comparison& comparison_of(const Expr& expr) { return std::get<Comparison>(*expr.condition); }

TEST(Parser, ComparisonsJoinedByAnd) {
    const Query query = parse_query("energy > 0.7 and valence > 0.6");
    ASSERT_TRUE(query.filter);
    ASSERT_EQ(query.filter->kind, Expr::Kind::And);
    ASSERT_EQ(query.filter->operands.size(), 2u);
    const Comparison& energy = comparison_of(query.filter->operands[0]);
    EXPECT_EQ(energy.field->name, "energy");
    EXPECT_EQ(energy.op, CompareOp::Greater);
    EXPECT_DOUBLE_EQ(std::get<Number>(energy.value).seconds(), 0.7);
    EXPECT_EQ(comparison_of(query.filter->operands[1]).field->name, "valence");
}

TEST(Parser, EveryComparisonOperator) {
    const std::pair<const char*, CompareOp> cases[] = {
        {"<", CompareOp::Less},       {"<=", CompareOp::LessEqual}, {">", CompareOp::Greater},
        {">=", CompareOp::GreaterEqual}, {"=", CompareOp::Equal},   {"!=", CompareOp::NotEqual},
    };
    for (const auto& [text, op] : cases) {
        const Query query = parse_query(std::string("danceability ") + text + " 0.5");
        EXPECT_EQ(comparison_of(*query.filter).op, op) << text;
        EXPECT_EQ(to_string(query), std::string("danceability ") + text + " 0.5");
    }
}

TEST(Parser, AndBindsTighterThanOrAndNotTighterThanAnd) {
    const Query query = parse_query("energy > 0.1 or energy > 0.2 and not valence < 0.3");
    ASSERT_EQ(query.filter->kind, Expr::Kind::Or);
    ASSERT_EQ(query.filter->operands.size(), 2u);
    const Expr& conjunction = query.filter->operands[1];
    ASSERT_EQ(conjunction.kind, Expr::Kind::And);
    EXPECT_EQ(conjunction.operands[1].kind, Expr::Kind::Not);
}

TEST(Parser, ParenthesesOverridePrecedenceAndSurviveRoundTrip) {
    const Query query = parse_query("(energy > 0.1 or liveness > 0.2) and speechiness < 0.3");
    ASSERT_EQ(query.filter->kind, Expr::Kind::And);
    EXPECT_EQ(query.filter->operands[0].kind, Expr::Kind::Or);
    EXPECT_EQ(to_string(query), "(energy > 0.1 or liveness > 0.2) and speechiness < 0.3");
    EXPECT_EQ(canonical("not (energy > 0.1 and energy < 0.2)"), "not (energy > 0.1 and energy < 0.2)");
    EXPECT_EQ(canonical("energy > 0.0000001"), "energy > 0.0000001");  // never 1e-07
    // Redundant parentheses are not kept.
    EXPECT_EQ(canonical("((energy > 0.1))"), "energy > 0.1");
}

TEST(Parser, LongChainsAreFlat) {
    const Query query = parse_query("energy > 0.1 or energy > 0.2 or energy > 0.3 or energy > 0.4");
    EXPECT_EQ(query.filter->operands.size(), 4u);
}

TEST(Parser, BeetsStyleRanges) {
    const Query open_high_query = parse_query("energy:0.7..");
    const Range& open_high = std::get<Range>(*open_high_query.filter->condition);
    EXPECT_DOUBLE_EQ(open_high.low->seconds(), 0.7);
    EXPECT_FALSE(open_high.high);
    const Query open_low_query = parse_query("valence:..0.3");
    const Range& open_low = std::get<Range>(*open_low_query.filter->condition);
    EXPECT_FALSE(open_low.low);
    EXPECT_DOUBLE_EQ(open_low.high->seconds(), 0.3);
    const Query closed_query = parse_query("danceability:0.4..0.8");
    const Range& closed = std::get<Range>(*closed_query.filter->condition);
    EXPECT_DOUBLE_EQ(closed.low->seconds(), 0.4);
    EXPECT_DOUBLE_EQ(closed.high->seconds(), 0.8);
    EXPECT_EQ(canonical("year:1990..1999"), "year:1990..1999");
    EXPECT_EQ(canonical("duration:2m..5m"), "duration:2m..5m");
    // A single value after ':' on a number field is equality, as in beets.
    EXPECT_EQ(canonical("year:1999"), "year = 1999");
}

TEST(Parser, TextMatching) {
    const Query exact_query = parse_query("artist = \"Miles Davis\"");
    EXPECT_EQ(std::get<std::string>(comparison_of(*exact_query.filter).value), "Miles Davis");
    const Query contains_query = parse_query("artist:davis");
    const TextMatch& contains = std::get<TextMatch>(*contains_query.filter->condition);
    EXPECT_EQ(contains.kind, TextMatch::Kind::Contains);
    EXPECT_EQ(contains.pattern, "davis");
    const Query glob_query = parse_query("path ~ \"*/Jazz/*\"");
    const TextMatch& glob = std::get<TextMatch>(*glob_query.filter->condition);
    EXPECT_EQ(glob.kind, TextMatch::Kind::Glob);
    EXPECT_EQ(glob.pattern, "*/Jazz/*");
    // Bare numbers and non-ASCII words are text where text is expected.
    EXPECT_EQ(canonical("title:1999"), "title:\"1999\"");
    EXPECT_EQ(canonical("artist:Björk"), "artist:\"Björk\"");
}

TEST(Parser, StringEscapesAndQuotes) {
    const Query escaped = parse_query(R"(title = "say \"hi\" \\ o'k")");
    EXPECT_EQ(std::get<std::string>(comparison_of(*escaped.filter).value), R"(say "hi" \ o'k)");
    const Query single = parse_query(R"(title = 'it\'s "fine"')");
    EXPECT_EQ(std::get<std::string>(comparison_of(*single.filter).value), R"(it's "fine")");
    // Printing escapes again, so the text reads back to the same value.
    EXPECT_EQ(canonical(R"(title = 'a"b\\c')"), R"(title = "a\"b\\c")");
}

TEST(Parser, KeywordsAndFieldsIgnoreCase) {
    EXPECT_EQ(canonical("ENERGY > 0.5 AND Valence < 0.2 OR NOT genre:Jazz SORT BY Year DESC"),
              "energy > 0.5 and valence < 0.2 or not genre:\"Jazz\" sort by year desc");
}

TEST(Parser, SortShuffleAndLimitClauses) {
    const Query query = parse_query("energy > 0.7 sort by energy desc, artist shuffle limit 50");
    ASSERT_EQ(query.sort.size(), 2u);
    EXPECT_EQ(query.sort[0].field->name, "energy");
    EXPECT_TRUE(query.sort[0].descending);
    EXPECT_EQ(query.sort[1].field->name, "artist");
    EXPECT_FALSE(query.sort[1].descending);
    EXPECT_TRUE(query.shuffle);
    ASSERT_TRUE(query.limit);
    EXPECT_EQ(query.limit->kind, Limit::Kind::Count);
    EXPECT_EQ(query.limit->count, 50u);

    const Query minutes = parse_query("limit 90m");
    EXPECT_FALSE(minutes.filter);
    EXPECT_EQ(minutes.limit->kind, Limit::Kind::Duration);
    EXPECT_DOUBLE_EQ(minutes.limit->duration.seconds(), 5400);
    EXPECT_DOUBLE_EQ(parse_query("limit 2h").limit->duration.seconds(), 7200);
    EXPECT_DOUBLE_EQ(parse_query("limit 1.5h").limit->duration.seconds(), 5400);
    // Clauses come in any order; printing puts them in a fixed one.
    EXPECT_EQ(canonical("limit 2h shuffle sort by valence asc"), "sort by valence shuffle limit 2h");
}

TEST(Parser, EmptyQueryMatchesEverything) {
    const Query query = parse_query("  ");
    EXPECT_FALSE(query.filter);
    EXPECT_TRUE(query.sort.empty());
    EXPECT_EQ(to_string(query), "");
}

TEST(Parser, PrintedQueriesParseBackToTheSameText) {
    const char* queries[] = {
        "energy > 0.7 and valence > 0.6",
        "acousticness >= 0.25 or instrumentalness <= 0.125 or not liveness = 1",
        "not not speechiness != 0",
        "(energy:0.7.. or valence:..0.3) and danceability:0.4..0.8",
        "artist = \"Miles Davis\" and album:\"kind of\" and path ~ \"*/Jazz/[A-M]*\"",
        "albumartist != \"\" and genre:\"hip hop\" and title ~ \"?ove*\"",
        "year >= 1970 and year < 1980 and duration > 4m and duration:..1h",
        "energy > 0.5 sort by energy desc, artist, year desc shuffle limit 90m",
        "shuffle limit 50",
        "(energy > 0.1 or energy > 0.2) or energy > 0.3",
        "energy > 0.1 and (energy > 0.2 and energy > 0.3)",
        "energy > 0.0000001 and duration < 123456789012345678901234567890",
    };
    for (const char* query : queries) {
        const std::string printed = canonical(query);
        EXPECT_EQ(canonical(printed), printed) << query;
    }
}

TEST(Parser, SortAndLimitOnTheirOwnAsTheConfigurationKeepsThem) {
    const std::vector<SortKey> keys = parse_sort("energy desc, Artist");
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_TRUE(keys[0].descending);
    EXPECT_EQ(keys[1].field->name, "artist");
    EXPECT_DOUBLE_EQ(parse_limit("90m").duration.seconds(), 5400);
    EXPECT_EQ(parse_limit("25").count, 25u);
    try {
        parse_sort("energy desc artist");
        ADD_FAILURE() << "no error";
    } catch (const QueryError& error) {
        EXPECT_EQ(error.position(), 12u);
        EXPECT_STREQ(error.what(), "expected the end of the text, got 'artist'");
    }
    EXPECT_THROW(parse_limit("90 m"), QueryError);
    EXPECT_THROW(parse_sort(""), QueryError);
}

// ---- errors -----------------------------------------------------------------

TEST(ParserErrors, MissingFieldNamesWhatWasExpectedWithACaret) {
    const std::string query = "energy > 0.7 and )";
    const QueryError error = error_of(query);
    EXPECT_EQ(error.position(), 17u);
    EXPECT_STREQ(error.what(), "expected a field name such as energy, got ')'");
    EXPECT_EQ(render_query_error(query, error),
              "energy > 0.7 and )\n"
              "                 ^ expected a field name such as energy, got ')'");
}

TEST(ParserErrors, CaretCountsCharactersNotBytes) {
    const std::string query = "artist = \"Björk\" or )";
    const QueryError error = error_of(query);
    EXPECT_EQ(error.position(), query.size() - 1);
    const std::string rendered = render_query_error(query, error);
    const std::string caret_line = rendered.substr(rendered.find('\n') + 1);
    EXPECT_EQ(caret_line.find('^'), 20u);  // 20 characters (21 bytes) precede ')'
}

TEST(ParserErrors, CaretIsOnTheOffendingLineOfAMultiLineQuery) {
    const std::string query = "energy > 0.5\nand valence >> 0.2";
    const QueryError error = error_of(query);
    EXPECT_EQ(error.position(), 26u);
    EXPECT_EQ(render_query_error(query, error).substr(0, 33), "and valence >> 0.2\n             ^");
}

TEST(ParserErrors, UnknownFieldListsTheKnownOnes) {
    const QueryError error = error_of("zzz > 0.5");
    EXPECT_EQ(error.position(), 0u);
    EXPECT_NE(std::string(error.what()).find("unknown field 'zzz'"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("acousticness, danceability"), std::string::npos);
}

TEST(ParserErrors, AnUnknownFieldCloseToAKnownOneSuggestsIt) {
    EXPECT_STREQ(error_of("energi > 0.5").what(), "unknown field 'energi'; did you mean 'energy'?");
    EXPECT_STREQ(error_of("Acousticnes > 0.5").what(), "unknown field 'Acousticnes'; did you mean 'acousticness'?");
}

TEST(ParserErrors, OpenQuotePointsAtTheOpeningQuote) {
    const QueryError error = error_of("artist = \"Miles and energy > 0.5");
    EXPECT_EQ(error.position(), 9u);
    EXPECT_NE(std::string(error.what()).find("never closed"), std::string::npos);
}

TEST(ParserErrors, NumbersOutOfRange) {
    EXPECT_EQ(error_of("energy > 1.5").position(), 9u);
    EXPECT_STREQ(error_of("energy > 1.5").what(), "energy must be between 0 and 1, got 1.5");
    EXPECT_EQ(error_of("valence:0.2..7").position(), 13u);
    EXPECT_EQ(error_of("year > 10000").position(), 7u);
    EXPECT_EQ(error_of("energy > 1e5").position(), 10u);  // no exponents
    EXPECT_EQ(error_of("energy:0.8..0.2").position(), 7u);  // empty range
    EXPECT_EQ(error_of("energy > 5m").position(), 9u);      // unit on a non-duration
}

TEST(ParserErrors, ANumberTooLargeForADoubleIsAnErrorNotZero) {
    // 310 digits overflow a double; from_chars' error used to be ignored and
    // the number read as 0, so "year > 1000...0" matched every track.
    const std::string huge = "year > 1" + std::string(309, '0');
    EXPECT_EQ(error_of(huge).position(), 7u);
    EXPECT_NE(std::string(error_of(huge).what()).find("number too large"), std::string::npos) << error_of(huge).what();
    EXPECT_NE(std::string(error_of("limit 9" + std::string(400, '9')).what()).find("number too large"), std::string::npos);
}

TEST(ParserErrors, TooManySortKeysAreRefusedBeforeTheDatabaseSeesThem) {
    // SQLite refuses more than 2,000 ORDER BY terms, but only when the query runs.
    std::string sort = "sort by energy";
    for (std::size_t i = 1; i < kMaxSortKeys; ++i) sort += ", valence";
    EXPECT_EQ(parse_query(sort).sort.size(), kMaxSortKeys);
    EXPECT_EQ(error_of(sort + ", energy").position(), sort.size());
    std::string monster = "sort by energy";
    for (int i = 0; i < 2000; ++i) monster += ", energy desc";
    EXPECT_NE(std::string(error_of(monster).what()).find("at most 64 sort keys"), std::string::npos);
}

TEST(ParserErrors, MisusedOperatorsAndValues) {
    EXPECT_EQ(error_of("artist < \"M\"").position(), 7u);
    EXPECT_EQ(error_of("energy ~ \"x\"").position(), 7u);
    EXPECT_EQ(error_of("energy > high").position(), 9u);
    EXPECT_EQ(error_of("energy:..").position(), 7u);
    EXPECT_EQ(error_of("energy").position(), 6u);  // at the end
    EXPECT_STREQ(error_of("energy").what(), "expected <, <=, >, >=, =, != or : after energy, got end of query");
    EXPECT_EQ(error_of("energy ! 0.5").position(), 7u);
    EXPECT_EQ(error_of("title = \"a\\nb\"").position(), 10u);  // unknown escape
}

TEST(Parser, AndMayBeLeftOutAsInBeets) {
    EXPECT_EQ(canonical("artist:davis energy:0.7.."), "artist:\"davis\" and energy:0.7..");
    EXPECT_EQ(canonical("energy > 0.5 valence > 0.5 sort by energy"), "energy > 0.5 and valence > 0.5 sort by energy");
    EXPECT_EQ(canonical("artist:x or genre:jazz not energy > 0.5"), "artist:\"x\" or genre:\"jazz\" and not energy > 0.5");
    EXPECT_EQ(canonical("energy > 0.5 (valence < 0.2 or valence > 0.8)"),
              "energy > 0.5 and (valence < 0.2 or valence > 0.8)");
}

TEST(ParserErrors, BadClauses) {
    EXPECT_EQ(error_of("energy > 0.5 0.7").position(), 13u);
    EXPECT_STREQ(error_of("energy > 0.5 0.7").what(),
                 "expected 'and', 'or', 'sort by', 'shuffle', 'limit' or the end of the query, got '0.7'");
    EXPECT_STREQ(error_of("energy > 0.5 valenc > 0.5").what(), "unknown field 'valenc'; did you mean 'valence'?");
    // Conditions come first: after a clause only clauses may follow.
    EXPECT_STREQ(error_of("sort by energy and valence > 0.5").what(),
                 "expected 'sort by', 'shuffle', 'limit' or the end of the query, got 'and'");
    EXPECT_EQ(error_of("sort energy").position(), 5u);
    EXPECT_EQ(error_of("sort by energy sort by valence").position(), 15u);
    EXPECT_EQ(error_of("shuffle shuffle").position(), 8u);
    EXPECT_EQ(error_of("limit 0").position(), 6u);
    EXPECT_EQ(error_of("limit 2.5").position(), 6u);
    EXPECT_EQ(error_of("limit 0m").position(), 6u);
    EXPECT_EQ(error_of("limit").position(), 5u);
    EXPECT_EQ(error_of("sort by energi").position(), 8u);
    EXPECT_EQ(error_of("(energy > 0.5").position(), 13u);
    EXPECT_EQ(error_of("energy > 0.5)").position(), 12u);
}

TEST(ParserErrors, InvalidUtf8IsRejected) {
    EXPECT_EQ(error_of("artist:\"Bj\xF6rk\"").position(), 10u);  // Latin-1 ö
    EXPECT_STREQ(error_of("artist:\"Bj\xC3\"").what(), "query is not valid UTF-8");
}

TEST(ParserErrors, ControlCharactersAreRejected) {
    EXPECT_EQ(error_of(std::string("energy > 0.5\0", 13)).position(), 12u);
    EXPECT_EQ(error_of("title = \"a\x01\"").position(), 10u);
}

// ---- size limits --------------------------------------------------------------

using test::chain;

TEST(ParserLimits, AsManyTermsAsAllowedParseAndPrint) {
    const Query query = parse_query(chain(kMaxConditions, " or "));
    ASSERT_EQ(query.filter->operands.size(), kMaxConditions);
    EXPECT_EQ(to_string(query), chain(kMaxConditions, " or "));
}

TEST(ParserLimits, TenThousandTermsAreAClearError) {
    const std::string query = chain(10'000, " and ");
    const QueryError error = error_of(query);
    const std::size_t term_length = std::string("energy > 0.1 and ").size();
    EXPECT_EQ(error.position(), kMaxConditions * term_length);  // the first term too many
    EXPECT_NE(std::string(error.what()).find("more than 1000 conditions"), std::string::npos);
}

TEST(ParserLimits, DeepParenthesesStopAtTheLimit) {
    const std::string query = std::string(100'000, '(') + "energy > 0.5" + std::string(100'000, ')');
    const QueryError error = error_of(query);
    EXPECT_EQ(error.position(), kMaxNesting);  // the first '(' too many
    EXPECT_NE(std::string(error.what()).find("nested too deeply"), std::string::npos);

    const std::string deepest = std::string(kMaxNesting, '(') + "energy > 0.5" + std::string(kMaxNesting, ')');
    EXPECT_EQ(canonical(deepest), "energy > 0.5");
}

TEST(ParserLimits, DeepNotChainsStopAtTheLimit) {
    std::string query;
    for (int i = 0; i < 100'000; ++i) query += "not ";
    query += "energy > 0.5";
    EXPECT_EQ(error_of(query).position(), 4 * kMaxNesting);
}

TEST(ParserLimits, OverlongQueriesAndStrings) {
    EXPECT_EQ(error_of(std::string(kMaxQueryBytes + 1, ' ')).position(), 0u);
    const QueryError error = error_of("title = \"" + std::string(kMaxStringLiteral + 1, 'a') + "\"");
    EXPECT_EQ(error.position(), 8u);
}

}  // namespace
}  // namespace vibed::playlist

namespace vibed::playlist {
namespace {

// ---- musical features and moods ---------------------------------------------

TEST(ParserFeatures, NamedValuesAreStoredInTheirCanonicalSpelling) {
    EXPECT_EQ(to_string(parse_query("mood = Relaxed and key = am and mode = MINOR")),
              "mood = \"calm\" and key = \"A minor\" and mode = \"minor\"");
    EXPECT_EQ(to_string(parse_query("key = \"Bb major\" or key = 'f#m'")), "key = \"A# major\" or key = \"F# minor\"");
}

TEST(ParserFeatures, AValueOutsideANamedFieldsValuesIsAnErrorThatListsThem) {
    try {
        (void)parse_query("energy > 0.2 and mode = minr");
        FAIL() << "accepted";
    } catch (const QueryError& e) {
        EXPECT_EQ(e.position(), 24u);
        EXPECT_NE(std::string(e.what()).find("mode is major or minor, got 'minr'"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)parse_query("mood = glum"), QueryError);
    EXPECT_THROW((void)parse_query("key = H"), QueryError);
}

TEST(ParserFeatures, NegativeNumbersAndRangesPrintBack) {
    const std::string text = "loudness > -9 and loudness:-14.5..-8 and majorness < -0.25";
    EXPECT_EQ(to_string(parse_query(text)), text);
    EXPECT_THROW((void)parse_query("loudness > -200"), QueryError);  // outside the field's range
    EXPECT_THROW((void)parse_query("energy > -0.1"), QueryError);
}

TEST(ParserFeatures, MoodProbabilitiesAreBetweenZeroAndOne) {
    EXPECT_NO_THROW((void)parse_query("sad >= 0.6 sort by sad desc limit 20"));
    EXPECT_THROW((void)parse_query("sad > 1.5"), QueryError);
    EXPECT_NO_THROW((void)parse_query("bpm:120..130 and key_strength > 0.5"));
}

TEST(ParserFeatures, ConditionsOnATrackWithoutFeaturesOrMoodsAreFalse) {
    core::LibraryRow row;  // analysed before features existed
    EXPECT_FALSE(evaluate(parse_query("bpm > 0"), row));
    EXPECT_FALSE(evaluate(parse_query("loudness < 0"), row));
    EXPECT_FALSE(evaluate(parse_query("sad >= 0"), row));
    EXPECT_FALSE(evaluate(parse_query("mood = sad"), row));
    EXPECT_TRUE(evaluate(parse_query("not bpm > 0"), row));
    row.features = core::MusicalFeatures{};
    row.features->bpm = 0;  // measured: no steady beat
    row.features->loudness = -20;
    row.features->key = 9;
    row.features->mode = core::Mode::minor;
    EXPECT_FALSE(evaluate(parse_query("bpm < 100"), row));
    EXPECT_TRUE(evaluate(parse_query("loudness < -10 and key = am and mode = minor"), row));
}

}  // namespace
}  // namespace vibed::playlist
