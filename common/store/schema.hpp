#pragma once
// Internal to the store module: the schema and its migrations.
#include <sqlite3.h>

namespace flowctl::store::detail {

/// The schema version this build creates and understands (PRAGMA user_version).
int latest_schema_version();

/// Brings the database up to latest_schema_version(), one transaction per step. Refuses a
/// database written by a newer build.
void migrate(sqlite3* db);

}  // namespace flowctl::store::detail
