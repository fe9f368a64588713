public import Foundation
internal import AssentStorage

/// Which backend test fixtures put their ledgers on: SQLite, or PostgreSQL when
/// `ASSENT_TEST_BACKEND=postgresql` (with `ASSENT_TEST_POSTGRES` naming the test server that
/// `Tools/test.sh` starts), so that the same suites run on both.
public enum TestBackend {
    /// Whether fixtures put their ledgers on PostgreSQL in this run.
    public static var isPostgres: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["ASSENT_TEST_BACKEND"] == "postgresql" && environment["ASSENT_TEST_POSTGRES"] != nil
    }

    /// The URL of a new, empty schema on the test server (through libpq's `options`), or nil on SQLite.
    /// - Throws: ``StorageError`` when the test server cannot be reached.
    /// - Parameter force: make one whenever a test server is named, whatever the backend of this run.
    public static func freshPostgresDatabase(force: Bool = false) throws -> String? {
        guard isPostgres || force, let base = ProcessInfo.processInfo.environment["ASSENT_TEST_POSTGRES"] else {
            return nil
        }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresConnection(url: base).execute("CREATE SCHEMA \(schema)")
        return base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }
}
