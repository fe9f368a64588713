/// A parsed SPDX licence expression.
///
/// AND and OR are kept n-ary and flattened (`A AND (B AND C)` is `A AND B AND C`), in the order written.
public indirect enum LicenseExpression: Sendable, Hashable {
    /// A licence from the SPDX list, in canonical case; `orLater` for a trailing `+`.
    case license(String, orLater: Bool)
    /// `LicenseRef-…`, optionally `DocumentRef-…:LicenseRef-…`, as written.
    case reference(String)
    /// `NONE`: no licence applies.
    case none
    /// `NOASSERTION`: the licence is unknown.
    case noAssertion
    /// A licence with an exception (or `AdditionRef-…`).
    case with(LicenseExpression, addition: String)
    /// All of these apply.
    case and([LicenseExpression])
    /// Any one of these may be chosen.
    case or([LicenseExpression])

    /// The canonical text: canonical-case identifiers, upper-case operators, single spaces, and
    /// parentheses only where precedence needs them.
    public var canonical: String { render(parent: 0) }

    private func render(parent: Int) -> String {
        switch self {
        case .license(let id, let orLater): return orLater ? id + "+" : id
        case .reference(let text): return text
        case .none: return "NONE"
        case .noAssertion: return "NOASSERTION"
        case .with(let base, let addition): return base.render(parent: 3) + " WITH " + addition
        case .and(let items):
            let text = items.map { $0.render(parent: 2) }.joined(separator: " AND ")
            return parent > 2 ? "(" + text + ")" : text
        case .or(let items):
            let text = items.map { $0.render(parent: 1) }.joined(separator: " OR ")
            return parent > 1 ? "(" + text + ")" : text
        }
    }

    /// Every licence and reference identifier in the expression (with `+` where written), in order of appearance.
    public var identifiers: [String] {
        switch self {
        case .license, .reference: return [canonical]
        case .none, .noAssertion: return []
        case .with(let base, _): return base.identifiers
        case .and(let items), .or(let items): return items.flatMap(\.identifiers)
        }
    }

    /// The alternatives a user may elect: the operands of a top-level OR, else the expression itself.
    public var branches: [LicenseExpression] {
        if case .or(let items) = self { return items }
        return [self]
    }

    /// The identifiers the SPDX list marks deprecated.
    public var deprecatedIdentifiers: [String] {
        identifiers.filter { id in
            let bare = id.hasSuffix("+") ? String(id.dropLast()) : id
            return SPDXLicenseList.license(bare)?.isDeprecated == true
        }
    }

    /// The same expression with deprecated GNU-style identifiers replaced (`GPL-2.0` → `GPL-2.0-only`,
    /// `GPL-2.0+` → `GPL-2.0-or-later`); others are kept, and still reported by ``deprecatedIdentifiers``.
    public var replacingDeprecated: LicenseExpression {
        switch self {
        case .license(let id, let orLater):
            if let replacement = SPDXLicenseList.replacement(forDeprecated: id, orLater: orLater) {
                return .license(replacement, orLater: false)
            }
            return self
        case .reference, .none, .noAssertion: return self
        case .with(let base, let addition): return .with(base.replacingDeprecated, addition: addition)
        case .and(let items): return .and(items.map(\.replacingDeprecated))
        case .or(let items): return .or(items.map(\.replacingDeprecated))
        }
    }
}
