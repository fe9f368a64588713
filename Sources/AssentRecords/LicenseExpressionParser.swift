/// Why a licence expression was rejected, naming the token and its 1-based column.
public struct LicenseExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending token ("" at the end of input).
    public let token: String
    /// The 1-based column of the token.
    public let column: Int
    /// What is wrong.
    public let reason: String

    /// "reason: 'token' at column N", a token longer than 64 characters shown by its start.
    public var description: String {
        token.isEmpty
            ? "\(reason) at column \(column)" : "\(reason): '\(Self.shortened(token))' at column \(column)"
    }

    /// `text` itself when at most `limit` characters long, else its first `limit` characters and "…".
    public static func shortened(_ text: String, limit: Int = 64) -> String {
        text.count <= limit ? text : text.prefix(limit) + "…"
    }
}

/// A strict recursive-descent parser for SPDX licence expressions (SPDX spec, Annex B, 3.x grammar).
///
/// Precedence from tightest: `+`, WITH, AND, OR; parentheses override. Operators are all upper or all
/// lower case; identifiers match the licence list in any case and come out canonical; the prefixes
/// `LicenseRef-`, `DocumentRef-` and `AdditionRef-` are case-sensitive. NONE and NOASSERTION combine
/// only with AND.
public struct LicenseExpressionParser {
    private struct Token {
        enum Kind { case word, open, close, and, or, with }
        let kind: Kind
        let text: String
        let column: Int
    }

    /// The deepest parenthesis nesting accepted; deeper input is refused rather than exhausting the stack.
    public static let maximumNesting = 32

    private let tokens: [Token]
    private var position = 0
    private var nesting = 0
    private let length: Int

    /// Parses `text`.
    /// - Throws: ``LicenseExpressionError`` naming the offending token and its column.
    public static func parse(_ text: String) throws(LicenseExpressionError) -> LicenseExpression {
        var parser = try LicenseExpressionParser(text: text)
        guard !parser.tokens.isEmpty else {
            throw LicenseExpressionError(token: "", column: 1, reason: "empty licence expression")
        }
        let expression = try parser.parseOr()
        if parser.position < parser.tokens.count {
            let token = parser.tokens[parser.position]
            throw LicenseExpressionError(
                token: token.text, column: token.column,
                reason: token.kind == .close ? "unmatched ')'" : "expected AND, OR or WITH")
        }
        return expression
    }

    private init(text: String) throws(LicenseExpressionError) {
        let characters = Array(text.unicodeScalars)
        length = characters.count
        var tokens: [Token] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == " " || character == "\t" {
                index += 1
                continue
            }
            if character == "(" || character == ")" {
                tokens.append(
                    Token(kind: character == "(" ? .open : .close, text: String(character), column: index + 1))
                index += 1
                continue
            }
            let start = index
            while index < characters.count, !" \t()".unicodeScalars.contains(characters[index]) { index += 1 }
            let word = String(String.UnicodeScalarView(characters[start..<index]))
            guard
                word.unicodeScalars.allSatisfy({
                    $0.isASCII
                        && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
                            || "-.:+".unicodeScalars.contains($0))
                })
            else {
                throw LicenseExpressionError(
                    token: word, column: start + 1, reason: "invalid character in licence identifier")
            }
            tokens.append(Token(kind: Self.kind(of: word), text: word, column: start + 1))
            if ["and", "or", "with"].contains(word.lowercased()) && tokens.last?.kind == .word {
                throw LicenseExpressionError(
                    token: word, column: start + 1, reason: "an operator is written all upper or all lower case")
            }
        }
        self.tokens = tokens
    }

    private static func kind(of word: String) -> Token.Kind {
        switch word {
        case "AND", "and": .and
        case "OR", "or": .or
        case "WITH", "with": .with
        default: .word
        }
    }

    private var endColumn: Int { length + 1 }

    private mutating func parseOr() throws(LicenseExpressionError) -> LicenseExpression {
        var starts = [position]
        var items = [try parseAnd()]
        while position < tokens.count, tokens[position].kind == .or {
            let operatorToken = tokens[position]
            position += 1
            starts.append(position)
            items.append(try parseAnd(after: operatorToken))
        }
        guard items.count > 1 else { return items[0] }
        if let index = items.firstIndex(where: { $0 == .none || $0 == .noAssertion }) {
            let token = tokens[starts[index]]
            throw LicenseExpressionError(
                token: token.text, column: token.column, reason: "NONE and NOASSERTION may only be combined with AND")
        }
        return .or(items.flatMap { if case .or(let inner) = $0 { inner } else { [$0] } })
    }

    private mutating func parseAnd(after operatorToken: Token? = nil) throws(LicenseExpressionError)
        -> LicenseExpression
    {
        var items = [try parseWith(after: operatorToken)]
        while position < tokens.count, tokens[position].kind == .and {
            let operatorToken = tokens[position]
            position += 1
            items.append(try parseWith(after: operatorToken))
        }
        guard items.count > 1 else { return items[0] }
        return .and(items.flatMap { if case .and(let inner) = $0 { inner } else { [$0] } })
    }

    private mutating func parseWith(after operatorToken: Token?) throws(LicenseExpressionError) -> LicenseExpression {
        guard position < tokens.count else {
            throw LicenseExpressionError(
                token: operatorToken?.text ?? "", column: operatorToken?.column ?? endColumn,
                reason: "expected a licence after this operator")
        }
        let token = tokens[position]
        switch token.kind {
        case .open:
            guard nesting < Self.maximumNesting else {
                throw LicenseExpressionError(
                    token: "(", column: token.column,
                    reason: "parentheses nested deeper than \(Self.maximumNesting) levels")
            }
            position += 1
            nesting += 1
            let inner = try parseOr()
            nesting -= 1
            guard position < tokens.count, tokens[position].kind == .close else {
                throw LicenseExpressionError(token: "(", column: token.column, reason: "missing ')' for this '('")
            }
            position += 1
            if position < tokens.count, tokens[position].kind == .with {
                throw LicenseExpressionError(
                    token: tokens[position].text, column: tokens[position].column,
                    reason: "WITH must follow a single licence, not a parenthesised expression")
            }
            return inner
        case .word:
            position += 1
            let simple = try Self.simple(token)
            guard position < tokens.count, tokens[position].kind == .with else { return simple }
            let withToken = tokens[position]
            position += 1
            guard case .license = simple else {
                if case .reference = simple { return try withAddition(simple, after: withToken) }
                throw LicenseExpressionError(
                    token: token.text, column: token.column, reason: "WITH cannot follow NONE or NOASSERTION")
            }
            return try withAddition(simple, after: withToken)
        default:
            throw LicenseExpressionError(token: token.text, column: token.column, reason: "expected a licence")
        }
    }

    private mutating func withAddition(_ base: LicenseExpression, after withToken: Token) throws(LicenseExpressionError)
        -> LicenseExpression
    {
        guard position < tokens.count, tokens[position].kind == .word else {
            throw LicenseExpressionError(
                token: withToken.text, column: withToken.column, reason: "expected an exception after WITH")
        }
        let token = tokens[position]
        position += 1
        if Self.isReference(token.text, prefix: "AdditionRef-") { return .with(base, addition: token.text) }
        guard let exception = SPDXLicenseList.exception(token.text) else {
            let reason =
                SPDXLicenseList.license(token.text) != nil
                ? "a licence is not an exception" : "unknown licence exception"
            throw LicenseExpressionError(token: token.text, column: token.column, reason: reason)
        }
        return .with(base, addition: exception.id)
    }

    private static func simple(_ token: Token) throws(LicenseExpressionError) -> LicenseExpression {
        let word = token.text
        if word == "NONE" { return .none }
        if word == "NOASSERTION" { return .noAssertion }
        if isReference(word, prefix: "LicenseRef-") { return .reference(word) }
        if word.lowercased().hasPrefix("licenseref-") || word.lowercased().hasPrefix("documentref-") {
            throw LicenseExpressionError(
                token: word, column: token.column,
                reason: "write the prefix exactly as LicenseRef- (or DocumentRef-…:LicenseRef-)")
        }
        let orLater = word.hasSuffix("+")
        let id = orLater ? String(word.dropLast()) : word
        guard !id.contains("+"), !id.contains(":"), !id.isEmpty else {
            throw LicenseExpressionError(token: word, column: token.column, reason: "invalid licence identifier")
        }
        guard let entry = SPDXLicenseList.license(id) else {
            if SPDXLicenseList.exception(id) != nil {
                throw LicenseExpressionError(token: word, column: token.column, reason: "an exception must follow WITH")
            }
            let hints = SPDXLicenseList.suggestions(for: id)
            let hint = hints.isEmpty ? "" : " (did you mean \(hints.joined(separator: ", "))?)"
            throw LicenseExpressionError(
                token: word, column: token.column,
                reason: "unknown licence id\(hint); use LicenseRef-… for licences not on the SPDX list")
        }
        return .license(entry.id, orLater: orLater)
    }

    /// Whether `word` is `[DocumentRef-<idstring>:]<prefix><idstring>` with the prefixes in exact case.
    static func isReference(_ word: String, prefix: String) -> Bool {
        var rest = Substring(word)
        if rest.hasPrefix("DocumentRef-") {
            guard let colon = rest.firstIndex(of: ":") else { return false }
            let document = rest[rest.index(rest.startIndex, offsetBy: 12)..<colon]
            guard isIDString(document) else { return false }
            rest = rest[rest.index(after: colon)...]
        }
        guard rest.hasPrefix(prefix) else { return false }
        return isIDString(rest.dropFirst(prefix.count))
    }

    private static func isIDString(_ text: Substring) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == ".")
            }
    }
}
