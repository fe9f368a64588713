internal import Foundation

/// What Assent does with a PostgreSQL connection URL besides handing it to libpq: name the database in
/// messages without its password.
public enum PostgresURL {
    /// Whether `text` is a libpq connection URI (`postgresql://…` or `postgres://…`).
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// `url` without the password of its user information (`postgresql://USER@HOST:PORT/DB`), and
    /// without a `password=` query parameter.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "the database (an unreadable URL)" }
        components.password = nil
        components.queryItems = components.queryItems?.filter { $0.name != "password" }
        if components.queryItems?.isEmpty == true { components.queryItems = nil }
        return components.string ?? "the database"
    }

    /// The password the URL itself carries, if any (to scrub it from messages that might echo it).
    static func password(in url: String) -> String? {
        let components = URLComponents(string: url)
        let password = components?.password ?? components?.queryItems?.first { $0.name == "password" }?.value
        return password.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `message` with every occurrence of `password` replaced by `***`.
    static func scrub(_ message: String, password: String?) -> String {
        guard let password else { return message }
        return message.replacingOccurrences(of: password, with: "***")
    }
}

/// SQL written for SQLite, adjusted for PostgreSQL.
enum PostgresSQL {
    /// `sql` as PostgreSQL reads it: `?` placeholders numbered, `INSERT OR FAIL` as a plain insert (a
    /// failing row fails the statement either way), `INSERT OR IGNORE` as `ON CONFLICT DO NOTHING`,
    /// table definitions in PostgreSQL's types (``tableDefinitions(_:)``).
    static func translate(_ sql: String) -> String {
        var text = sql.contains("CREATE TABLE") ? tableDefinitions(sql) : sql
        if text.contains("INSERT OR FAIL INTO") {
            text = text.replacingOccurrences(of: "INSERT OR FAIL INTO", with: "INSERT INTO")
        }
        if text.contains("INSERT OR IGNORE INTO") {
            text = text.replacingOccurrences(of: "INSERT OR IGNORE INTO", with: "INSERT INTO")
            text = text.trimmingCharacters(in: .whitespacesAndNewlines) + " ON CONFLICT DO NOTHING"
        }
        return text.contains("?") ? numberingPlaceholders(text) : text
    }

    /// SQLite table definitions in PostgreSQL's types: `INTEGER` as `bigint`, `BLOB` as `bytea`,
    /// without SQLite's `STRICT` and `WITHOUT ROWID` table options (PostgreSQL's columns are always
    /// strictly typed, and its tables have no rowid).
    static func tableDefinitions(_ sql: String) -> String {
        var text = sql
        for (pattern, replacement) in [
            (#"\bINTEGER\b"#, "bigint"), (#"\bBLOB\b"#, "bytea"), (#"\)\s+STRICT\s*(;|$)"#, ")$1"),
            (#"\)\s+WITHOUT ROWID\s*(;|$)"#, ")$1"),
        ] {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }

    /// `sql` with SQLite's placeholders in PostgreSQL's form, outside quoted strings and identifiers:
    /// `?NNN` becomes `$NNN`, and each bare `?` the next number after the largest so far (as SQLite
    /// numbers them).
    static func numberingPlaceholders(_ sql: String) -> String {
        var output = ""
        var largest = 0
        var quote: Character? = nil
        var characters = sql[...]
        while let character = characters.popFirst() {
            if let open = quote {
                if character == open { quote = nil }
                output.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                output.append(character)
            } else if character == "?" {
                let digits = characters.prefix { $0.isASCII && $0.isNumber }
                characters = characters.dropFirst(digits.count)
                let number = Int(digits) ?? largest + 1
                largest = max(largest, number)
                output += "$\(number)"
            } else {
                output.append(character)
            }
        }
        return output
    }
}
