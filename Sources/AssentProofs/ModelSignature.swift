public import Foundation
public import AssentCrypto
internal import AssentLog
internal import AssentEngine

/// OpenSSF model-signing signatures (model_signing 1.1.1, `files` serialization, SHA-256, key-based):
/// a Sigstore bundle v0.3 holding a DSSE envelope over an in-toto statement whose subject is the
/// folder's root digest and whose predicate lists every file's digest.
public enum ModelSignature {
    /// The bundle media type.
    public static let mediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
    /// The predicate type.
    public static let predicateType = "https://model_signing/signature/v1.0"
    /// Paths ignored by default (model_signing's git paths).
    public static let defaultIgnores = [".git", ".gitattributes", ".github", ".gitignore"]

    /// Signs the folder: the bundle's JSON bytes.
    public static func sign(folder: URL, key: P256PrivateKey) throws -> [UInt8] {
        let digest = try ModelDigest(folder: folder)
        let statement = JSONObject([
            ("_type", .string("https://in-toto.io/Statement/v1")),
            (
                "subject",
                .array([
                    .object(
                        JSONObject([
                            ("name", .string(folder.lastPathComponent)),
                            ("digest", .object(JSONObject([("sha256", .string(Hex.encode(digest.root)))]))),
                        ]))
                ])
            ),
            ("predicateType", .string(predicateType)),
            (
                "predicate",
                .object(
                    JSONObject([
                        (
                            "serialization",
                            .object(
                                JSONObject([
                                    ("method", .string("files")), ("hash_type", .string("sha256")),
                                    ("allow_symlinks", .bool(false)),
                                    ("ignore_paths", .array(defaultIgnores.map(JSONValue.string))),
                                ]))
                        ),
                        (
                            "resources",
                            .array(
                                digest.resources.map {
                                    .object(
                                        JSONObject([
                                            ("name", .string($0.name)), ("algorithm", .string("sha256")),
                                            ("digest", .string(Hex.encode($0.digest))),
                                        ]))
                                })
                        ),
                    ]))
            ),
        ])
        let envelope = try DSSEEnvelope.sign(payload: CanonicalJSON.encode(.object(statement)), with: key)
        let hint = Hex.encode(SHA256.hash(Array(try key.publicKey.pemRepresentation.utf8)))
        let bundle = JSONObject([
            ("mediaType", .string(mediaType)),
            (
                "verificationMaterial",
                .object(
                    JSONObject([
                        ("publicKey", .object(JSONObject([("hint", .string(hint))]))), ("tlogEntries", .array([])),
                    ]))
            ),
            ("dsseEnvelope", .object(envelope.json)),
        ])
        return CanonicalJSON.encode(.object(bundle))
    }

    /// What verification found.
    public struct Verified: Sendable {
        /// The signed root digest (`sha256:<hex>`): the model id.
        public let modelID: String
        /// Notes, e.g. a missing key hint.
        public let warnings: [String]
    }

    /// Verifies a bundle over `folder` with `key`, as `model_signing verify key` does.
    /// - Throws: ``ProofError`` with step `model-signature`.
    public static func verify(bundle bytes: [UInt8], folder: URL, key: P256PublicKey) throws -> Verified {
        try verify(bundle: bytes, files: .folder(folder), key: key)
    }

    /// Verifies a bundle with `key` over a model folder, or over the digests of its files (a digest
    /// manifest, when the weights themselves are not at hand).
    /// - Throws: ``ProofError`` with step `model-signature`.
    public static func verify(bundle bytes: [UInt8], files: ModelFiles, key: P256PublicKey) throws -> Verified {
        func fail(_ message: String) -> ProofError { ProofError("model-signature", message) }
        guard let bundle = try? JSONParser.parse(bytes).objectValue else {
            throw fail("the signature file is not a JSON object")
        }
        guard bundle["mediaType"]?.stringValue == mediaType else { throw fail("mediaType is not \(mediaType)") }
        var warnings: [String] = []
        let hint = bundle["verificationMaterial"]?.objectValue?["publicKey"]?.objectValue?["hint"]?.stringValue
        let expectedHint = Hex.encode(SHA256.hash(Array(try key.pemRepresentation.utf8)))
        if let hint {
            guard hint == expectedHint else {
                throw fail("key mismatch: the bundle's key hint is not SHA-256 of this public key's PEM")
            }
        } else {
            warnings.append("the bundle has no key hint (accepted, as model_signing does, with a warning)")
        }
        guard let envelopeObject = bundle["dsseEnvelope"]?.objectValue else { throw fail("no dsseEnvelope") }
        let envelope = try DSSEEnvelope(json: envelopeObject, allowURLSafe: false)
        guard envelope.isSigned(by: key) else { throw fail("the ECDSA signature over the DSSE PAE does not verify") }
        guard envelope.payloadType == DSSEEnvelope.inTotoType else { throw fail("payloadType is not in-toto") }
        guard let statement = try? JSONParser.parse(envelope.payload).objectValue else {
            throw fail("the payload is not a JSON object")
        }
        guard statement["_type"]?.stringValue == "https://in-toto.io/Statement/v1" else {
            throw fail("not an in-toto Statement v1")
        }
        guard statement["predicateType"]?.stringValue == predicateType else {
            throw fail("predicateType is not \(predicateType)")
        }
        guard let subjects = statement["subject"]?.arrayValue, subjects.count == 1,
            let root = subjects[0].objectValue?["digest"]?.objectValue?["sha256"]?.stringValue
        else { throw fail("expected exactly one subject with a sha256 digest") }
        let predicate = statement["predicate"]?.objectValue ?? JSONObject()
        guard predicate["serialization"]?.objectValue?["method"]?.stringValue == "files",
            predicate["serialization"]?.objectValue?["hash_type"]?.stringValue == "sha256"
        else { throw fail("only the files serialization with sha256 is supported") }
        let ignores =
            predicate["serialization"]?.objectValue?["ignore_paths"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var signed: [(String, [UInt8])] = []
        for resource in predicate["resources"]?.arrayValue ?? [] {
            guard let object = resource.objectValue, let name = object["name"]?.stringValue,
                let digest = object["digest"]?.stringValue.flatMap(Hex.decode),
                object["algorithm"]?.stringValue == "sha256"
            else { throw fail("a resource is malformed") }
            signed.append((name, digest))
        }
        guard Hex.encode(SHA256.hash(signed.flatMap(\.1))) == root else {
            throw fail("the subject digest is not the root of the listed resources")
        }
        let local: [(name: String, digest: [UInt8])]
        switch files {
        case .folder(let folder):
            local = try ModelDigest(folder: folder, ignoring: ignores.filter { !defaultIgnores.contains($0) }).resources
                .map { ($0.name, $0.digest) }
        case .digests(let digests):
            local = digests.filter { entry in !ignores.contains { entry.name == $0 || entry.name.hasPrefix($0 + "/") } }
        }
        let localNames = Set(local.map(\.name))
        let signedNames = Set(signed.map(\.0))
        if let extra = localNames.subtracting(signedNames).sorted().first {
            throw fail("extra file found in the model folder: \(extra)")
        }
        if let missing = signedNames.subtracting(localNames).sorted().first { throw fail("missing file: \(missing)") }
        for resource in local where signed.first(where: { $0.0 == resource.name })?.1 != resource.digest {
            throw fail("hash mismatch for \(resource.name)")
        }
        return Verified(modelID: "sha256:" + root, warnings: warnings)
    }
}

/// What a model signature is checked against: the model folder, or the SHA-256 digest of each of its
/// files by path (`sha256sum` run in the folder).
public enum ModelFiles: Sendable {
    /// The folder itself: its files are hashed.
    case folder(URL)
    /// Each file's path inside the folder and its SHA-256 digest.
    case digests([(name: String, digest: [UInt8])])

    /// The digests of a `sha256sum` listing (`<hex>  <path>` per line, `./` and `*` prefixes allowed).
    /// - Throws: ``ProofError`` at step `input` naming the first line that is not such a line.
    public static func digests(sha256sum text: String) throws(ProofError) -> ModelFiles {
        var digests: [(name: String, digest: [UInt8])] = []
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() where !line.isEmpty {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let digest = Hex.decode(String(parts[0])), digest.count == 32 else {
                throw ProofError("input", "digest manifest line \(number + 1): expected <64 hex digits>  <path>")
            }
            var name = parts[1].drop { $0 == " " || $0 == "*" }
            if name.hasPrefix("./") { name = name.dropFirst(2) }
            digests.append((String(name), digest))
        }
        guard !digests.isEmpty else { throw ProofError("input", "the digest manifest lists no file") }
        return .digests(digests)
    }
}
