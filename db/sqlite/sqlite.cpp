#include "db/sqlite/sqlite.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <limits>
#include <new>
#include <utility>

#include "core/util/text_fold.hpp"

namespace vibed::db {
namespace {

// SQL for error messages: on one line and not overly long.
std::string one_line(std::string_view sql) {
    constexpr std::size_t kMaxLength = 120;
    std::string result;
    bool in_space = false;
    for (const char c : sql) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (space && (in_space || result.empty())) continue;
        in_space = space;
        result += space ? ' ' : c;
        if (result.size() >= kMaxLength) return result + "...";
    }
    return result;
}

[[noreturn]] void throw_error(sqlite3* db, int code, const std::filesystem::path& file, std::string_view doing) {
    // Extended result codes are on, so `code` may be extended; its low byte is the primary code.
    const int primary = code & 0xff;
    // The handle's message describes this failure only if it recorded the same error.
    const bool handle_knows = db != nullptr && (sqlite3_extended_errcode(db) & 0xff) == primary;
    const int extended = handle_knows ? sqlite3_extended_errcode(db) : code;
    const std::string message = handle_knows ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    throw SqliteError(primary, extended, message, file.string() + ": " + std::string(doing));
}

// vibed_fold(text) for SQL. SQLite calls it from C, so nothing may be thrown out of it.
void fold_case_in_sql(sqlite3_context* context, int /*argument_count*/, sqlite3_value** arguments) noexcept {
    // Null for SQL NULL, and (as in SQLite's own lower()) when SQLite runs out
    // of memory converting the value to text; SQLite then fails the statement.
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(arguments[0]));
    if (text == nullptr) {
        sqlite3_result_null(context);
        return;
    }
    try {
        const std::string folded = util::fold_case({text, static_cast<std::size_t>(sqlite3_value_bytes(arguments[0]))});
        sqlite3_result_text64(context, folded.data(), folded.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    } catch (const std::bad_alloc&) {
        sqlite3_result_error_nomem(context);
    } catch (const std::exception& error) {
        sqlite3_result_error(context, error.what(), -1);
    }
}

void register_functions(sqlite3* db, const std::filesystem::path& file) {
    // Deterministic: SQLite may fold a bound pattern once per statement and
    // use the function in indexes. Innocuous: no side effects, so it is
    // allowed in schema SQL even with trusted_schema off.
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    const int code = sqlite3_create_function_v2(db, util::kFoldCaseSqlFunction, 1, flags, nullptr, fold_case_in_sql,
                                                nullptr, nullptr, nullptr);
    if (code != SQLITE_OK) throw_error(db, code, file, std::string("cannot register ") + util::kFoldCaseSqlFunction + "()");
}

// In WAL mode every reader needs the -shm file beside the database, which
// SQLite cannot create on a read-only file system (a backup disk, a snapshot,
// a read-only mount): opening there fails at the first query. Nobody can
// change the file on such a file system, so when no -wal file holds
// transactions still to be checkpointed (vibed's last connection checkpoints
// and removes it; a read-only reader may leave an empty one) the database is
// read as immutable: no locks, no -shm.
bool readable_only_as_immutable(const std::filesystem::path& file) {
    struct statvfs file_system {};
    if (statvfs(file.c_str(), &file_system) != 0 || (file_system.f_flag & ST_RDONLY) == 0) return false;
    std::error_code no_wal;
    const std::uintmax_t wal_bytes = std::filesystem::file_size(std::filesystem::path(file) += "-wal", no_wal);
    return no_wal || wal_bytes == 0;
}

// file:PATH?immutable=1, with the characters a URI path cannot hold escaped.
std::string immutable_uri(const std::filesystem::path& file) {
    std::string uri = "file:";
    for (const char c : std::filesystem::absolute(file).string()) {
        if (c == '%' || c == '?' || c == '#') {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", static_cast<unsigned char>(c));
            uri += escaped;
        } else {
            uri += c;
        }
    }
    return uri + "?immutable=1";
}

}  // namespace

SqliteError::SqliteError(int code, int extended_code, const std::string& message, const std::string& context)
    : DatabaseError(context + ": " + message), code_(code), extended_code_(extended_code) {}

SqliteError::Trouble SqliteError::trouble() const {
    switch (code_) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return Trouble::locked;
        case SQLITE_FULL: return Trouble::disk_full;
        case SQLITE_READONLY: return Trouble::read_only;
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_PROTOCOL:
        case SQLITE_INTERRUPT: return Trouble::io;
        case SQLITE_NOMEM: return Trouble::memory;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: return Trouble::damaged;
        default: return Trouble::other;
    }
}

bool SqliteError::is_transient() const {
    const Trouble kind = trouble();
    return kind != Trouble::damaged && kind != Trouble::other;
}

void Connection::Deleter::operator()(sqlite3* handle) const noexcept {
    // Statements are finalized first (they are owned by our callers and die
    // before the connection), so close_v2 releases everything here.
    sqlite3_close_v2(handle);
}

Connection::Connection(std::unique_ptr<sqlite3, Deleter> handle, std::filesystem::path file)
    : handle_(std::move(handle)), file_(std::move(file)) {}

Connection Connection::open(const std::filesystem::path& file, Mode mode, std::chrono::milliseconds busy_timeout) {
    if (mode == Mode::read_write_create) {
        // The index lists the user's whole library: private from birth,
        // whatever the umask (SQLite would create it 0644 and give its -wal
        // and -shm files the same mode). An existing file keeps its mode.
        const int created = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (created >= 0) ::close(created);
    }
    const bool immutable = mode == Mode::read_only && readable_only_as_immutable(file);
    int flags = mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (immutable) flags |= SQLITE_OPEN_URI;
    const std::string name = immutable ? immutable_uri(file) : file.string();
    sqlite3* raw = nullptr;
    const int code = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
    // SQLite hands out a handle even when opening fails; it must still be closed.
    std::unique_ptr<sqlite3, Deleter> handle(raw);
    if (code != SQLITE_OK) throw_error(handle.get(), code, file, "cannot open the database");
    // SQLite quietly falls back to read-only when it cannot write the file;
    // a writer must learn that now, not at its first commit.
    if (mode == Mode::read_write_create && sqlite3_db_readonly(handle.get(), "main") == 1) {
        throw_error(nullptr, SQLITE_READONLY, file, "cannot open the database for writing");
    }
    sqlite3_extended_result_codes(handle.get(), 1);
    // Waits inside SQLite (sleeping, not spinning) for another connection's lock.
    sqlite3_busy_timeout(handle.get(), static_cast<int>(busy_timeout.count()));
    register_functions(handle.get(), file);
    return Connection(std::move(handle), file);
}

void Connection::execute(std::string_view sql) {
    const std::string text(sql);
    const int code = sqlite3_exec(handle_.get(), text.c_str(), nullptr, nullptr, nullptr);
    if (code != SQLITE_OK) throw_error(handle_.get(), code, file_, "running \"" + one_line(sql) + "\"");
}

Statement Connection::prepare(std::string_view sql) {
    if (sql.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw_error(nullptr, SQLITE_TOOBIG, file_, "preparing a statement");
    }
    sqlite3_stmt* raw = nullptr;
    const int code = sqlite3_prepare_v2(handle_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    std::unique_ptr<sqlite3_stmt, Statement::Deleter> handle(raw);
    if (code != SQLITE_OK) throw_error(handle_.get(), code, file_, "preparing \"" + one_line(sql) + "\"");
    if (!handle) throw DatabaseError(file_.string() + ": preparing \"" + one_line(sql) + "\": no SQL statement");
    return Statement(std::move(handle), file_);
}

std::int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(handle_.get()); }

std::int64_t Connection::changes() const { return sqlite3_changes64(handle_.get()); }

void Statement::Deleter::operator()(sqlite3_stmt* handle) const noexcept { sqlite3_finalize(handle); }

Statement::Statement(std::unique_ptr<sqlite3_stmt, Deleter> handle, std::filesystem::path file)
    : handle_(std::move(handle)), file_(std::move(file)) {}

void Statement::fail(int code, std::string_view doing) const {
    throw_error(sqlite3_db_handle(handle_.get()), code, file_,
                std::string(doing) + " \"" + one_line(sqlite3_sql(handle_.get())) + "\"");
}

void Statement::check_parameter_count(std::size_t given) const {
    const auto expected = static_cast<std::size_t>(parameter_count());
    if (given != expected) {
        throw SqliteError(SQLITE_RANGE, SQLITE_RANGE,
                          std::to_string(given) + " values given for " + std::to_string(expected) + " placeholders",
                          file_.string() + ": binding \"" + one_line(sqlite3_sql(handle_.get())) + "\"");
    }
}

void Statement::bind(int index, std::int64_t value) {
    if (const int code = sqlite3_bind_int64(handle_.get(), index, value); code != SQLITE_OK) fail(code, "binding");
}

void Statement::bind(int index, double value) {
    if (const int code = sqlite3_bind_double(handle_.get(), index, value); code != SQLITE_OK) fail(code, "binding");
}

void Statement::bind(int index, std::string_view value) {
    // SQLITE_TRANSIENT: SQLite copies the text, so the caller's buffer may go away.
    const int code = sqlite3_bind_text64(handle_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (code != SQLITE_OK) fail(code, "binding");
}

void Statement::bind(int index, std::span<const std::byte> blob) {
    const int code = sqlite3_bind_blob64(handle_.get(), index, blob.data(), blob.size(), SQLITE_TRANSIENT);
    if (code != SQLITE_OK) fail(code, "binding");
}

void Statement::bind(int index, std::nullopt_t) {
    if (const int code = sqlite3_bind_null(handle_.get(), index); code != SQLITE_OK) fail(code, "binding");
}

void Statement::bind(int index, const SqlValue& value) {
    std::visit([&](const auto& alternative) { bind(index, alternative); }, value);
}

Statement& Statement::bind_values(std::span<const SqlValue> values) {
    reset();
    check_parameter_count(values.size());
    int index = 0;
    for (const auto& value : values) bind(++index, value);
    return *this;
}

bool Statement::step() {
    const int code = sqlite3_step(handle_.get());
    if (code == SQLITE_ROW) return true;
    if (code == SQLITE_DONE) return false;
    fail(code, "running");
}

void Statement::reset() noexcept {
    // The error sqlite3_reset reports is the one step() already threw.
    sqlite3_reset(handle_.get());
    sqlite3_clear_bindings(handle_.get());
}

int Statement::parameter_count() const { return sqlite3_bind_parameter_count(handle_.get()); }

bool Statement::is_null(int column) const { return sqlite3_column_type(handle_.get(), column) == SQLITE_NULL; }

std::int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(handle_.get(), column); }

double Statement::column_double(int column) const { return sqlite3_column_double(handle_.get(), column); }

std::string Statement::column_text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(handle_.get(), column));
    if (text == nullptr) return {};
    return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(handle_.get(), column)));
}

std::span<const std::byte> Statement::column_blob(int column) const {
    const auto* bytes = static_cast<const std::byte*>(sqlite3_column_blob(handle_.get(), column));
    if (bytes == nullptr) return {};
    return {bytes, static_cast<std::size_t>(sqlite3_column_bytes(handle_.get(), column))};
}

std::optional<std::string> Statement::column_optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return column_text(column);
}

Transaction::Transaction(Connection& connection) : connection_(connection) {
    connection_.execute("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!open_) return;
    try {
        connection_.execute("ROLLBACK");
    } catch (const SqliteError&) {
        // After some errors (I/O, full disk) SQLite has already rolled back on
        // its own; there is nothing left to undo.
    }
}

void Transaction::commit() {
    connection_.execute("COMMIT");
    open_ = false;
}

}  // namespace vibed::db
