internal import Foundation
public import AssentCrypto
public import AssentLog

/// DSSE envelopes (secure-systems-lab/dsse v1): a payload, its type, and ECDSA P-256 signatures over
/// PAE(type, payload).
public struct DSSEEnvelope: Sendable, Equatable {
    /// The in-toto payload type.
    public static let inTotoType = "application/vnd.in-toto+json"

    /// The payload type.
    public let payloadType: String
    /// The payload bytes.
    public let payload: [UInt8]
    /// (keyid, DER signature) pairs.
    public let signatures: [(keyID: String, signature: [UInt8])]

    /// PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.
    public static func preAuthenticationEncoding(type: String, body: [UInt8]) -> [UInt8] {
        Array("DSSEv1 \(type.utf8.count) \(type) \(body.count) ".utf8) + body
    }

    /// Signs `payload` with `key` (one signature, keyid "").
    public static func sign(payload: [UInt8], type: String = inTotoType, with key: P256PrivateKey) throws
        -> DSSEEnvelope
    {
        let signature = try key.signature(for: preAuthenticationEncoding(type: type, body: payload))
        return DSSEEnvelope(payloadType: type, payload: payload, signatures: [("", signature)])
    }

    /// Creates an envelope.
    public init(payloadType: String, payload: [UInt8], signatures: [(keyID: String, signature: [UInt8])]) {
        self.payloadType = payloadType
        self.payload = payload
        self.signatures = signatures
    }

    /// The envelope JSON object.
    public var json: JSONObject {
        JSONObject([
            ("payload", .string(Base64.encode(payload))), ("payloadType", .string(payloadType)),
            (
                "signatures",
                .array(
                    signatures.map {
                        .object(
                            JSONObject([("keyid", .string($0.keyID)), ("sig", .string(Base64.encode($0.signature)))]))
                    })
            ),
        ])
    }

    /// Parses an envelope; standard base64, or URL-safe base64 (which DSSE allows) when `allowURLSafe`.
    /// - Throws: ``ProofError`` naming the field.
    public init(json object: JSONObject, allowURLSafe: Bool = true) throws {
        func decode(_ text: String?, _ field: String) throws -> [UInt8] {
            guard let text else { throw ProofError("dsse", "\(field) is missing") }
            if let bytes = Base64.decode(text) { return bytes }
            if allowURLSafe, let bytes = Base64.decodeURLSafe(text) { return bytes }
            throw ProofError("dsse", "\(field) is not base64")
        }
        guard let type = object["payloadType"]?.stringValue else { throw ProofError("dsse", "payloadType is missing") }
        let payload = try decode(object["payload"]?.stringValue, "payload")
        guard let list = object["signatures"]?.arrayValue, !list.isEmpty else {
            throw ProofError("dsse", "no signatures")
        }
        let signatures = try list.map { item -> (keyID: String, signature: [UInt8]) in
            guard let signature = item.objectValue else { throw ProofError("dsse", "a signature is not an object") }
            return (signature["keyid"]?.stringValue ?? "", try decode(signature["sig"]?.stringValue, "sig"))
        }
        self.init(payloadType: type, payload: payload, signatures: signatures)
    }

    /// Whether some signature verifies under `key` (the keyid is ignored: it is unauthenticated).
    public func isSigned(by key: P256PublicKey) -> Bool {
        let message = Self.preAuthenticationEncoding(type: payloadType, body: payload)
        return signatures.contains { key.isValidSignature($0.signature, for: message) }
    }

    /// Envelopes compare by type, payload and signatures.
    public static func == (lhs: DSSEEnvelope, rhs: DSSEEnvelope) -> Bool {
        lhs.payloadType == rhs.payloadType && lhs.payload == rhs.payload
            && lhs.signatures.map(\.signature) == rhs.signatures.map(\.signature)
            && lhs.signatures.map(\.keyID) == rhs.signatures.map(\.keyID)
    }
}

/// A failed proof step: which step, and why.
public struct ProofError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The step that failed (`checkpoint`, `model-signature`, `status`, …).
    public let step: String
    /// Why.
    public let message: String

    /// Creates an error.
    public init(_ step: String, _ message: String) {
        self.step = step
        self.message = message
    }

    /// "step: message".
    public var description: String { "\(step): \(message)" }
}

extension Base64 {
    /// Decodes URL-safe base64 (RFC 4648 §5), padded or not.
    public static func decodeURLSafe(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return decode(standard)
    }
}
