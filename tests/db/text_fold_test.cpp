// fold_case() and the vibed_fold() SQL function every Connection offers.

#include "core/util/text_fold.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "db/sqlite/sqlite.hpp"
#include "tests/db/test_support.hpp"

namespace vibed::db {
namespace {

using util::fold_case;

using testing::ScratchDir;

TEST(FoldCase, LowersAscii) {
    EXPECT_EQ(fold_case("Miles DAVIS 1959 AC/DC"), "miles davis 1959 ac/dc");
    EXPECT_EQ(fold_case(""), "");
}

TEST(FoldCase, LowersLatinGreekAndCyrillic) {
    EXPECT_EQ(fold_case("ÉCOLE ØSTERBRO BJÖRK Çà"), "école østerbro björk çà");
    EXPECT_EQ(fold_case("ŁÓDŹ ŽIŽEK ŐRSÉG"), "łódź žižek őrség");                // Latin Extended-A
    EXPECT_EQ(fold_case("ΣΙΓΟΥΡ ΡΌΣ ΑΒΓ"), "σιγουρ ρόσ αβγ");                    // Greek
    EXPECT_EQ(fold_case("МУМИЙ ТРОЛЛЬ Ёж Її"), "мумий тролль ёж її");          // Cyrillic
    EXPECT_EQ(fold_case("\U00010400"), "\U00010428");                          // Deseret: four-byte UTF-8
}

TEST(FoldCase, LowerCaseMayTakeMoreOrFewerBytes) {
    EXPECT_EQ(fold_case("ȺB"), "ⱥb");  // U+023A -> U+2C65: two bytes become three
    EXPECT_EQ(fold_case("KELVIN \u212A"), "kelvin k");  // the Kelvin sign lowers to ASCII k
}

TEST(FoldCase, LowerCaseTextIsUnchanged) {
    for (const std::string text : {"björk", "мумий тролль", "σίγουρ ρος", "日本語のタイトル", "🎵 mix"}) {
        EXPECT_EQ(fold_case(text), text);
    }
}

TEST(FoldCase, IsNoFullFoldingAndKeepsAccents) {
    EXPECT_EQ(fold_case("STRAßE"), "straße");  // no ß -> ss
    EXPECT_EQ(fold_case("ΟΔΟΣ"), "οδοσ");      // no final-sigma rule
    EXPECT_NE(fold_case("CAFÉ"), fold_case("cafe"));
}

TEST(FoldCase, InvalidUtf8PassesThroughUnchanged) {
    EXPECT_EQ(fold_case("A\xFF" "B"), "a\xFF" "b");
    EXPECT_EQ(fold_case("\xC3"), "\xC3");                      // truncated sequence at the end
    EXPECT_EQ(fold_case("\xC3(\xC3\x89"), "\xC3(\xC3\xA9");    // truncated one, then a real "É"
    EXPECT_EQ(fold_case("\xC0\x81Z"), "\xC0\x81z");            // overlong encoding
    EXPECT_EQ(fold_case("\xED\xA0\x80X"), "\xED\xA0\x80x");    // a UTF-16 surrogate
    EXPECT_EQ(fold_case("\x80\x80"), "\x80\x80");              // stray continuation bytes
}

class FoldCaseInSqlTest : public ::testing::Test {
protected:
    std::optional<std::string> fold_in_sql(const std::optional<std::string>& text) {
        auto statement = connection_.prepare("SELECT vibed_fold(?)");
        statement.bind_all(text);
        EXPECT_TRUE(statement.step());
        return statement.column_optional_text(0);
    }

    ScratchDir dir_;
    Connection connection_ = Connection::open(dir_ / "test.db", Connection::Mode::read_write_create);
};

TEST_F(FoldCaseInSqlTest, MatchesFoldCase) {
    for (const std::string text : {"BJÖRK", "Мумий Тролль", "ΣΙΓΟΥΡ", "STRAßE", "", "A\xFF" "B\xC3"}) {
        EXPECT_EQ(fold_in_sql(text), fold_case(text)) << text;
    }
}

TEST_F(FoldCaseInSqlTest, NullStaysNull) { EXPECT_EQ(fold_in_sql(std::nullopt), std::nullopt); }

TEST_F(FoldCaseInSqlTest, NumbersFoldAsTheirText) {
    auto statement = connection_.prepare("SELECT vibed_fold(42), vibed_fold(2.5)");
    ASSERT_TRUE(statement.step());
    EXPECT_EQ(statement.column_text(0), "42");
    EXPECT_EQ(statement.column_text(1), "2.5");
}

TEST_F(FoldCaseInSqlTest, IsDeterministicSoIndexesMayUseIt) {
    // SQLite refuses non-deterministic functions in index expressions.
    connection_.execute("CREATE TABLE artists (name TEXT); CREATE INDEX artists_folded ON artists (vibed_fold(name))");
    connection_.prepare("INSERT INTO artists (name) VALUES (?), (?)").bind_all("SIGUR RÓS", "Björk").run();
    auto select = connection_.prepare("SELECT name FROM artists WHERE vibed_fold(name) = vibed_fold(?)");
    select.bind_all("sigur rós");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_text(0), "SIGUR RÓS");
    EXPECT_FALSE(select.step());
}

TEST_F(FoldCaseInSqlTest, ReadOnlyConnectionsHaveItToo) {
    connection_.execute("CREATE TABLE artists (name TEXT); INSERT INTO artists VALUES ('ÉLODIE')");
    Connection reader = Connection::open(connection_.file(), Connection::Mode::read_only);
    auto select = reader.prepare("SELECT vibed_fold(name) FROM artists");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_text(0), "élodie");
}

}  // namespace
}  // namespace vibed::db
