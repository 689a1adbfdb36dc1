#ifndef CITYTWIN_CSPATIALITE_SHIM_H
#define CITYTWIN_CSPATIALITE_SHIM_H
#include <sqlite3.h>
#include <spatialite.h>

// SpatiaLite keeps per-connection state in an opaque "cache" that must be
// released with spatialite_cleanup_ex *after* the connection is closed or
// at the latest when it closes. GRDB owns the sqlite3 handle and offers no
// close hook, so we tie the cache's lifetime to the connection: a no-op SQL
// function whose xDestroy (run by sqlite3_close) frees the cache.
static void citytwin_spatialite_noop(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc; (void)argv;
    sqlite3_result_int(ctx, 1);
}

static void citytwin_spatialite_release(void *cache) {
    if (cache) spatialite_cleanup_ex(cache);
}

/// Initialises SpatiaLite on `db`. Ownership: the cache belongs to the
/// connection from here on and is freed when the connection closes.
/// Returns SQLITE_OK or the SQLite error code of the registration.
static inline int citytwin_spatialite_init(sqlite3 *db) {
    void *cache = spatialite_alloc_connection();
    if (!cache) return SQLITE_NOMEM;
    spatialite_init_ex(db, cache, 0);
    int rc = sqlite3_create_function_v2(db, "citytwin_spatialite_loaded", 0,
        SQLITE_UTF8 | SQLITE_DETERMINISTIC, cache, citytwin_spatialite_noop,
        NULL, NULL, citytwin_spatialite_release);
    if (rc != SQLITE_OK) {
        // sqlite3_create_function_v2 calls xDestroy itself on failure.
        return rc;
    }
    return SQLITE_OK;
}

/// Turns off SQLite's global memory statistics, whose mutex is taken on
/// every allocation. Must run before the first connection opens; harmless
/// (SQLITE_MISUSE, ignored) if SQLite is already initialised.
static inline void citytwin_sqlite_tune_globals(void) {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/// Binds (ext_id, props, geom) and steps the prepared insert. Wrapped here
/// because the text/blob binders take SQLITE_TRANSIENT, a C macro. Returns
/// the SQLite result code of the step (SQLITE_DONE on success).
static inline int citytwin_insert_feature(sqlite3_stmt *stmt, const char *ext_id, int ext_id_len,
                                          const char *props, int props_len, const void *blob, int blob_len) {
    sqlite3_reset(stmt);
    int rc = ext_id ? sqlite3_bind_text(stmt, 1, ext_id, ext_id_len, SQLITE_TRANSIENT) : sqlite3_bind_null(stmt, 1);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_bind_text(stmt, 2, props, props_len, SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_bind_blob(stmt, 3, blob, blob_len, SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) return rc;
    return sqlite3_step(stmt);
}
#endif
