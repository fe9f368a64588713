internal import AssentOperations
internal import Foundation
public import Hummingbird

/// Checks a request's bearer token against the ledger's tokens.
enum Authorization {
    /// The token the request presents, if it is valid and its role is one of `roles` (admin always is).
    /// - Throws: ``APIError`` 401 without a valid token, 403 for a valid one of another role; in both
    ///   cases before anything is read or written.
    @discardableResult
    static func require(_ roles: Set<TokenRole>, for request: Request, worker: LedgerWorker) async throws
        -> TokenRecord
    {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError(.unauthorized, "unauthorized", "this route needs a bearer token (assent tokens create)")
        }
        return try await require(roles, presented: String(header.dropFirst(7)), worker: worker)
    }

    /// The token `presented` (a bearer token's text), if it is valid and of one of `roles`.
    /// - Throws: ``APIError`` 401 for an unknown token, 403 for one of another role.
    @discardableResult
    static func require(_ roles: Set<TokenRole>, presented text: String, worker: LedgerWorker) async throws
        -> TokenRecord
    {
        let presented = text.trimmingCharacters(in: .whitespaces)
        let token = try await worker.checkToken { try TokenRegistry(store: $0.store).authenticate(presented) }
        guard let token else {
            throw APIError(.unauthorized, "unauthorized", "the bearer token is unknown, revoked or malformed")
        }
        guard token.role == .admin || roles.contains(token.role) else {
            throw APIError(
                .forbidden, "forbidden",
                "token \(token.id) has role \(token.role.rawValue); this route needs \(roles.map(\.rawValue).sorted().joined(separator: " or ")) (or admin)"
            )
        }
        return token
    }

    /// Every role: what reading needs.
    static let readers = Set(TokenRole.allCases)
}
