public import Foundation
internal import AssentStorage

/// Which backend test fixtures put their ledgers on: SQLite, or PostgreSQL when
/// `ASSENT_TEST_BACKEND=postgresql` (with `ASSENT_TEST_POSTGRES` naming the test server that
/// `Tools/test.sh` starts), so that the same suites run on both.
public enum TestBackend {
    /// The URL of a new, empty schema on the test server (through libpq's `options`), or nil on SQLite.
    /// - Throws: ``StorageError`` when the test server cannot be reached.
    public static func freshPostgresDatabase() throws -> String? {
        let environment = ProcessInfo.processInfo.environment
        guard environment["ASSENT_TEST_BACKEND"] == "postgresql", let base = environment["ASSENT_TEST_POSTGRES"] else {
            return nil
        }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try PostgresConnection(url: base).execute("CREATE SCHEMA \(schema)")
        return base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"
    }
}
