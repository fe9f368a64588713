import ArgumentParser
import AssentCrypto
import AssentLog
import AssentProofs
import Foundation

/// `assent proof`: verifies proofs handed in from outside, with the same code the ledger uses.
struct ProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Verify inclusion and consistency proofs offline (exit 0 valid, 2 invalid).",
        subcommands: [VerifyInclusion.self, VerifyConsistency.self, VerifyModel.self])

    /// `assent proof verify-model`.
    struct VerifyModel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-model",
            abstract:
                "Check an OpenSSF model-signing signature (key-based, files/sha256) as model_signing verify key does.",
            discussion: "Example: assent proof verify-model --model ./model --key signing-key.pub.pem model.sig")
        @Option(help: ArgumentHelp("The model folder.", valueName: "dir"))
        var model: String
        @Option(help: ArgumentHelp("The ECDSA P-256 public key, PEM.", valueName: "file"))
        var key: String
        @Argument(help: "The signature bundle (model.sig).")
        var signature: String

        func run() throws {
            try reportingErrors {
                let publicKey: P256PublicKey
                do {
                    publicKey = try P256PublicKey(pemRepresentation: try readTextFile(key, what: "public key"))
                } catch let error as CryptoError {
                    throw LedgerError(.key, "\(key): \(error)")
                }
                do {
                    let verified = try ModelSignature.verify(
                        bundle: try readFile(signature, what: "signature"), folder: URL(fileURLWithPath: model),
                        key: publicKey)
                    for warning in verified.warnings { Console.note("warning: \(warning)") }
                    Console.line("valid: \(verified.modelID)")
                } catch let error as ProofError { throw VerificationFailure(message: error.message) }
            }
        }
    }

    /// `assent proof verify-inclusion`.
    struct VerifyInclusion: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-inclusion",
            abstract: "Check that an entry is in the log, from a c2sp.org/tlog-proof@v1 file.",
            discussion: "Example: assent proof verify-inclusion --key log.vkey --entry 5.entry 5.tlog-proof")

        @Option(help: ArgumentHelp("The log's verifier key file (name+keyid+key).", valueName: "vkeyfile"))
        var key: String
        @Option(help: ArgumentHelp("The exact entry bytes (from assent log entry N --raw).", valueName: "entryfile"))
        var entry: String
        @Argument(help: "The tlog-proof file.")
        var proofFile: String
        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() throws {
            try reportingErrors {
                let verifier = try readVerifierKey(key)
                let entryBytes = try readFile(entry, what: "entry file")
                let text = try readTextFile(proofFile, what: "proof file")
                let checkpoint: Checkpoint
                do {
                    let proof = try TLogProof(text: text)
                    checkpoint = try proof.verify(entry: entryBytes, verifier: verifier)
                    if json {
                        Console.json(
                            JSONObject([
                                ("valid", .bool(true)), ("index", .integer(Int64(proof.index))),
                                ("size", .integer(Int64(checkpoint.size))),
                            ]))
                    } else {
                        Console.line(
                            "valid: entry \(proof.index) is in \(checkpoint.origin) at size \(checkpoint.size)")
                    }
                } catch { throw VerificationFailure(message: "\(proofFile): \(error)") }
            }
        }
    }

    /// `assent proof verify-consistency`.
    struct VerifyConsistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify-consistency",
            abstract: "Check that a newer checkpoint extends an older one (the log was only appended to).",
            discussion: "PROOFFILE holds the base64 hashes of assent log consistency M N, one a line.")

        @Option(help: ArgumentHelp("The log's verifier key file.", valueName: "vkeyfile"))
        var key: String
        @Argument(help: "The older signed checkpoint.")
        var oldCheckpoint: String
        @Argument(help: "The newer signed checkpoint.")
        var newCheckpoint: String
        @Argument(help: "The consistency proof: base64 hashes, one a line.")
        var proofFile: String
        @Flag(help: "Print the result as JSON.")
        var json = false

        func run() throws {
            try reportingErrors {
                let verifier = try readVerifierKey(key)
                let oldText = try readTextFile(oldCheckpoint, what: "checkpoint")
                let newText = try readTextFile(newCheckpoint, what: "checkpoint")
                let proofText = try readTextFile(proofFile, what: "proof file")
                let old: Checkpoint
                let new: Checkpoint
                do { old = try Checkpoint.open(oldText, verifier: verifier) } catch {
                    throw VerificationFailure(message: "\(oldCheckpoint): \(error)")
                }
                do { new = try Checkpoint.open(newText, verifier: verifier) } catch {
                    throw VerificationFailure(message: "\(newCheckpoint): \(error)")
                }
                var hashes: [[UInt8]] = []
                for (number, line) in proofText.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where !line.isEmpty {
                    guard let hash = Base64.decode(line), hash.count == 32 else {
                        throw VerificationFailure(message: "\(proofFile) line \(number + 1): not a base64 SHA-256 hash")
                    }
                    hashes.append(hash)
                }
                let consistent: Bool
                if old.size == 0 {
                    consistent = hashes.isEmpty
                } else {
                    consistent = MerkleVerification.verifyConsistency(
                        size1: old.size, size2: new.size, root1: old.root, root2: new.root, proof: hashes)
                }
                guard consistent else {
                    throw VerificationFailure(
                        message: "the proof does not show size \(old.size) to be a prefix of size \(new.size)")
                }
                if json {
                    Console.json(
                        JSONObject([
                            ("valid", .bool(true)), ("old_size", .integer(Int64(old.size))),
                            ("new_size", .integer(Int64(new.size))),
                        ]))
                } else {
                    Console.line("valid: \(new.origin) at size \(new.size) extends size \(old.size)")
                }
            }
        }
    }
}
