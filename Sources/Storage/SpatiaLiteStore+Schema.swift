import GRDB

extension SpatiaLiteStore {
    /// Schema migrations. v1: spatial metadata (WGS84 reference systems
    /// only: everything is stored in EPSG:4326), the layer catalog, events,
    /// sensor readings and a key/value meta table.
    static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            // Inside the migration's transaction, so SpatiaLite must not open its own.
            let ok = try Int.fetchOne(db, sql: "SELECT InitSpatialMetaData(0, 'WGS84')")
            guard ok == 1 else { throw StorageError(.spatialite, "InitSpatialMetaData failed") }
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
                INSERT INTO meta(key, value) VALUES ('data_version', 0), ('schema', 1);
                CREATE TABLE layers (
                  name TEXT PRIMARY KEY,
                  role TEXT NOT NULL,
                  geometry_type TEXT NOT NULL,
                  feature_count INTEGER NOT NULL DEFAULT 0,
                  min_x REAL, min_y REAL, max_x REAL, max_y REAL,
                  minzoom INTEGER NOT NULL, maxzoom INTEGER NOT NULL,
                  version INTEGER NOT NULL DEFAULT 1,
                  updated_at TEXT NOT NULL,
                  source TEXT
                );
                CREATE TABLE events (
                  id INTEGER PRIMARY KEY,
                  type TEXT NOT NULL,
                  description TEXT NOT NULL DEFAULT '',
                  address TEXT,
                  status TEXT NOT NULL DEFAULT 'new',
                  source TEXT,
                  reported_at TEXT,
                  created_at TEXT NOT NULL,
                  updated_at TEXT NOT NULL,
                  grid_code TEXT,
                  props TEXT NOT NULL DEFAULT '{}'
                );
                CREATE TABLE sensor_readings (
                  id INTEGER PRIMARY KEY,
                  sensor_id TEXT NOT NULL,
                  level_cm REAL NOT NULL,
                  observed_at TEXT NOT NULL,
                  received_at TEXT NOT NULL
                );
                CREATE INDEX sensor_readings_latest ON sensor_readings(sensor_id, observed_at);
                """)
            guard try Int.fetchOne(db, sql: "SELECT AddGeometryColumn('events', 'geom', 4326, 'POINT', 'XY', 1)") == 1,
                  try Int.fetchOne(db, sql: "SELECT CreateSpatialIndex('events', 'geom')") == 1 else {
                throw StorageError(.spatialite, "cannot register the events geometry column")
            }
        }
        return m
    }()
}
