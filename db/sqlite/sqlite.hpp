#pragma once
// The one place vibed touches the SQLite C API: a move-only connection, prepared
// statements and a transaction guard. No sqlite3 handle leaves these classes.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/util/sql_filter.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace vibed::db {

using util::SqlValue;

// Any failure of the index: the database file, its schema or SQLite itself.
class DatabaseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A failed SQLite call. what() reads "<file>: <what was done>: <SQLite message>".
class SqliteError : public DatabaseError {
public:
    SqliteError(int code, int extended_code, const std::string& message, const std::string& context);

    [[nodiscard]] int code() const { return code_; }
    [[nodiscard]] int extended_code() const { return extended_code_; }

    // What kind of failure this is, for deciding whether to retry.
    enum class Trouble {
        locked,     // another connection holds a lock (SQLITE_BUSY, SQLITE_LOCKED)
        disk_full,  // SQLITE_FULL
        read_only,  // the file, folder or mount cannot be written
        io,         // I/O error, cannot open, lock protocol, interrupted
        memory,     // SQLITE_NOMEM
        damaged,    // the file is corrupt or not a database: retrying will not help
        other,      // a fault of the statement or its data
    };
    [[nodiscard]] Trouble trouble() const;
    // Resource trouble that goes away by itself or once someone acts: worth
    // retrying, never a verdict on the data being written.
    [[nodiscard]] bool is_transient() const;
    [[nodiscard]] bool is_damaged() const { return trouble() == Trouble::damaged; }

private:
    int code_;
    int extended_code_;
};

class Statement;

class Connection {
public:
    enum class Mode { read_write_create, read_only };

    // Opens (and with read_write_create creates) the database file. Waits up
    // to busy_timeout for locks held by other connections. read_only also
    // works on a read-only file system (there the file is read as immutable). SQL on it can call
    // vibed_fold() (core/util/text_fold.hpp). Throws SqliteError.
    static Connection open(const std::filesystem::path& file, Mode mode,
                           std::chrono::milliseconds busy_timeout = std::chrono::seconds(5));

    // Runs one or more SQL statements that return no rows. Throws SqliteError.
    void execute(std::string_view sql);

    // Throws SqliteError when the SQL does not compile.
    Statement prepare(std::string_view sql);

    [[nodiscard]] std::int64_t last_insert_rowid() const;
    // Rows changed by the most recent INSERT, UPDATE or DELETE.
    [[nodiscard]] std::int64_t changes() const;
    [[nodiscard]] const std::filesystem::path& file() const { return file_; }

private:
    struct Deleter {
        void operator()(sqlite3* handle) const noexcept;
    };

    Connection(std::unique_ptr<sqlite3, Deleter> handle, std::filesystem::path file);

    std::unique_ptr<sqlite3, Deleter> handle_;
    std::filesystem::path file_;

    friend class Statement;
};

// A prepared statement. Bind with bind_all(), then call step() until it
// returns false; reset() (or the next bind_all()) makes it reusable.
class Statement {
public:
    // Resets the statement and binds `args` to its placeholders in order.
    // Accepts integers, floating point, strings, SqlValue, std::nullopt and
    // std::optional of those. Throws SqliteError when the number of arguments
    // differs from the number of placeholders.
    template <typename... Args>
    Statement& bind_all(const Args&... args) {
        reset();
        check_parameter_count(sizeof...(Args));
        int index = 0;
        (bind(++index, args), ...);
        return *this;
    }

    // bind_all() for values known only at run time.
    Statement& bind_values(std::span<const SqlValue> values);

    // Advances to the next row: true when there is one, false when done.
    // Throws SqliteError on failure.
    bool step();

    // Runs a statement that returns no rows. Throws SqliteError.
    void run() {
        while (step()) {}
    }

    // Makes the statement reusable and releases the read snapshot it holds.
    void reset() noexcept;

    [[nodiscard]] int parameter_count() const;

    // Column values of the current row; NULL reads as 0 / "" / nullopt.
    [[nodiscard]] bool is_null(int column) const;
    [[nodiscard]] std::int64_t column_int64(int column) const;
    [[nodiscard]] double column_double(int column) const;
    [[nodiscard]] std::string column_text(int column) const;
    [[nodiscard]] std::optional<std::string> column_optional_text(int column) const;
    // A BLOB column's bytes, valid until the next step(), reset() or column call.
    [[nodiscard]] std::span<const std::byte> column_blob(int column) const;

private:
    struct Deleter {
        void operator()(sqlite3_stmt* handle) const noexcept;
    };

    Statement(std::unique_ptr<sqlite3_stmt, Deleter> handle, std::filesystem::path file);

    void check_parameter_count(std::size_t given) const;
    [[noreturn]] void fail(int code, std::string_view doing) const;

    void bind(int index, std::int64_t value);
    void bind(int index, double value);
    void bind(int index, std::string_view value);
    void bind(int index, std::nullopt_t);
    void bind(int index, std::span<const std::byte> blob);
    void bind(int index, const SqlValue& value);
    void bind(int index, const std::string& value) { bind(index, std::string_view(value)); }
    void bind(int index, const char* value) { bind(index, std::string_view(value)); }
    void bind(int index, float value) { bind(index, static_cast<double>(value)); }
    template <typename Integer>
        requires std::is_integral_v<Integer>
    void bind(int index, Integer value) {
        bind(index, static_cast<std::int64_t>(value));
    }
    template <typename T>
    void bind(int index, const std::optional<T>& value) {
        if (value) {
            bind(index, *value);
        } else {
            bind(index, std::nullopt);
        }
    }

    // The Connection that prepared it must outlive it.
    std::unique_ptr<sqlite3_stmt, Deleter> handle_;
    std::filesystem::path file_;  // for error messages

    friend class Connection;
};

// BEGIN IMMEDIATE on construction (the write lock is taken up front, so two
// writers never deadlock upgrading read locks); rolls back in the destructor
// unless commit() was called.
class Transaction {
public:
    explicit Transaction(Connection& connection);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    // Throws SqliteError; the transaction is then rolled back by the destructor.
    void commit();

private:
    Connection& connection_;
    bool open_ = true;
};

}  // namespace vibed::db
