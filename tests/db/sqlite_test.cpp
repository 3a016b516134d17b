#include "db/sqlite/sqlite.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/db/test_support.hpp"

namespace vibed::db {
namespace {

using testing::ScratchDir;

class SqliteTest : public ::testing::Test {
protected:
    void SetUp() override {
        connection_.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, weight REAL)");
    }

    std::int64_t count_items() {
        auto statement = connection_.prepare("SELECT count(*) FROM items");
        EXPECT_TRUE(statement.step());
        return statement.column_int64(0);
    }

    ScratchDir dir_;
    Connection connection_ = Connection::open(dir_ / "test.db", Connection::Mode::read_write_create);
};

TEST_F(SqliteTest, BindsAndReadsEveryType) {
    connection_.prepare("INSERT INTO items (id, name, weight) VALUES (?, ?, ?)").bind_all(7, "seven", 7.5).run();
    connection_.prepare("INSERT INTO items (id, name, weight) VALUES (?, ?, ?)")
        .bind_all(std::int64_t{8}, std::string("eight"), std::optional<double>())
        .run();
    auto select = connection_.prepare("SELECT id, name, weight FROM items ORDER BY id");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_int64(0), 7);
    EXPECT_EQ(select.column_text(1), "seven");
    EXPECT_DOUBLE_EQ(select.column_double(2), 7.5);
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_optional_text(1), "eight");
    EXPECT_TRUE(select.is_null(2));
    EXPECT_FALSE(select.step());
}

TEST_F(SqliteTest, TextKeepsArbitraryBytes) {
    const std::string name("a\0b\xff", 4);
    connection_.prepare("INSERT INTO items (name) VALUES (?)").bind_all(name).run();
    auto select = connection_.prepare("SELECT name FROM items");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_text(0), name);
}

TEST_F(SqliteTest, BindValuesTakesSqlValues) {
    const std::vector<SqlValue> values{std::int64_t{3}, std::string("three"), 0.25};
    connection_.prepare("INSERT INTO items VALUES (?, ?, ?)").bind_values(values).run();
    auto select = connection_.prepare("SELECT name FROM items WHERE id = 3 AND weight = 0.25");
    ASSERT_TRUE(select.step());
    EXPECT_EQ(select.column_text(0), "three");
}

TEST_F(SqliteTest, WrongNumberOfValuesIsAnError) {
    auto insert = connection_.prepare("INSERT INTO items (id, name) VALUES (?, ?)");
    try {
        insert.bind_all(1);
        FAIL() << "expected SqliteError";
    } catch (const SqliteError& error) {
        EXPECT_EQ(error.code(), SQLITE_RANGE);
        EXPECT_NE(std::string(error.what()).find("1 values given for 2 placeholders"), std::string::npos)
            << error.what();
    }
    EXPECT_THROW(insert.bind_all(1, "a", "b"), SqliteError);
}

TEST_F(SqliteTest, ConstraintViolationCarriesCodesFileAndSql) {
    auto insert = connection_.prepare("INSERT INTO items (id, name) VALUES (?, ?)");
    try {
        insert.bind_all(1, std::nullopt).run();
        FAIL() << "expected SqliteError";
    } catch (const SqliteError& error) {
        EXPECT_EQ(error.code(), SQLITE_CONSTRAINT);
        EXPECT_EQ(error.extended_code(), SQLITE_CONSTRAINT_NOTNULL);
        const std::string message = error.what();
        EXPECT_TRUE(message.starts_with((dir_ / "test.db").string() + ": running \"INSERT INTO items"))
            << message;
        EXPECT_NE(message.find("NOT NULL constraint failed: items.name"), std::string::npos) << message;
    }
}

TEST_F(SqliteTest, BadSqlIsAnError) {
    EXPECT_THROW(connection_.prepare("SELEKT 1"), SqliteError);
    EXPECT_THROW(connection_.execute("DROP TABLE nothing_here"), SqliteError);
}

TEST_F(SqliteTest, StatementIsReusableAfterBindAll) {
    auto insert = connection_.prepare("INSERT INTO items (name) VALUES (?)");
    for (const char* name : {"a", "b", "c"}) insert.bind_all(name).run();
    EXPECT_EQ(count_items(), 3);
}

TEST_F(SqliteTest, TransactionRollsBackUnlessCommitted) {
    {
        Transaction transaction(connection_);
        connection_.execute("INSERT INTO items (name) VALUES ('dropped')");
    }
    EXPECT_EQ(count_items(), 0);
    {
        Transaction transaction(connection_);
        connection_.execute("INSERT INTO items (name) VALUES ('kept')");
        transaction.commit();
    }
    EXPECT_EQ(count_items(), 1);
}

TEST_F(SqliteTest, TransactionRollsBackWhenAnExceptionUnwinds) {
    try {
        Transaction transaction(connection_);
        connection_.execute("INSERT INTO items (name) VALUES ('first')");
        connection_.execute("INSERT INTO items (name) VALUES (NULL)");
        transaction.commit();
    } catch (const SqliteError&) {
    }
    EXPECT_EQ(count_items(), 0);
}

TEST_F(SqliteTest, MovedConnectionKeepsWorking) {
    Connection moved = std::move(connection_);
    moved.execute("INSERT INTO items (name) VALUES ('x')");
    EXPECT_EQ(moved.changes(), 1);
    EXPECT_EQ(moved.last_insert_rowid(), 1);
}

TEST(SqliteOpenTest, ReadOnlyOfAMissingFileIsAnErrorNamingIt) {
    ScratchDir dir;
    try {
        Connection::open(dir / "missing.db", Connection::Mode::read_only);
        FAIL() << "expected SqliteError";
    } catch (const SqliteError& error) {
        EXPECT_EQ(error.code(), SQLITE_CANTOPEN);
        EXPECT_TRUE(std::string(error.what()).starts_with((dir / "missing.db").string() + ": ")) << error.what();
    }
}

TEST(SqliteOpenTest, ReadOnlyConnectionRefusesWrites) {
    ScratchDir dir;
    Connection::open(dir / "t.db", Connection::Mode::read_write_create).execute("CREATE TABLE t (x)");
    Connection reader = Connection::open(dir / "t.db", Connection::Mode::read_only);
    try {
        reader.execute("INSERT INTO t VALUES (1)");
        FAIL() << "expected SqliteError";
    } catch (const SqliteError& error) {
        EXPECT_EQ(error.code(), SQLITE_READONLY);
    }
}

}  // namespace
}  // namespace vibed::db
