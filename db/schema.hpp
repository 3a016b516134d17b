#pragma once
// The index's schema and its versioned migrations (PRAGMA user_version).

#include "db/sqlite/sqlite.hpp"

namespace vibed::db::schema {

// The schema version this build writes and reads.
inline constexpr int kVersion = 5;

// Brings the database up to kVersion, one transaction per migration, so a
// crash leaves it at some complete version. Refuses a database that belongs
// to another application or to a newer vibed. Throws DatabaseError.
void migrate(Connection& connection);

// Throws DatabaseError unless the database is a vibed index at exactly kVersion.
void require_current(Connection& connection);

}  // namespace vibed::db::schema
