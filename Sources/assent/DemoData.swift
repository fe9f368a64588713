import AssentLog
import AssentProofs
import Foundation

/// The demo's dataset: the digits fixture, with synthetic writers as consenting subjects.
enum DemoData {
    /// Writers with a consent; each wrote `samplesPerWriter` of the first training samples.
    static let writers = 30
    /// Samples tied to each writer.
    static let samplesPerWriter = 12
    /// Samples tied to a consent.
    static var consentedSamples: Int { writers * samplesPerWriter }
    /// The dataset's attribution (CC BY 4.0 requires it).
    static let attribution =
        "Alpaydin, E. & Kaynak, C. (1998). Optical Recognition of Handwritten Digits. UCI Machine Learning Repository. https://doi.org/10.24432/C50P49"

    /// The real id of writer `number` (kept in the vault only).
    static func subject(_ number: Int) -> String { "writer-\(number < 10 ? "0" : "")\(number)@digits.example" }

    /// Finds the fixture folder: the given one, else `Tools/datasets/digits` in the current folder or above the binary.
    static func locate(_ given: String?) throws -> URL {
        if let given { return URL(fileURLWithPath: given) }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(binary)
            binary = binary.deletingLastPathComponent()
        }
        for base in candidates {
            let folder = base.appendingPathComponent("Tools/datasets/digits")
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("digits-train.jsonl").path) {
                return folder
            }
        }
        throw LedgerError(.notFound, "cannot find Tools/datasets/digits; run from the repository or pass --data DIR")
    }

    /// Writes an ingest manifest for the training split: each line's content is one digits sample.
    static func writeManifest(from dataset: URL, to manifest: URL, consents: [String]) throws -> URL {
        guard let data = FileManager.default.contents(atPath: dataset.appendingPathComponent("digits-train.jsonl").path)
        else {
            throw LedgerError(.notFound, "cannot read \(dataset.path)/digits-train.jsonl")
        }
        var output: [UInt8] = []
        for (index, line) in data.split(separator: 0x0A).enumerated() {
            var fields = JSONObject([
                ("text", .string(String(decoding: line, as: UTF8.self))), ("media_type", .string("application/json")),
                ("license", .string("CC-BY-4.0")), ("source", .string("uci-digits")),
                ("attribution", .string(attribution)),
                ("collected_at", .string("1998-07-01T00:00:00Z")), ("opt_out", .string("notReserved")),
            ])
            if index < consentedSamples {
                let writer = index / samplesPerWriter + 1
                fields["subject"] = .string(subject(writer))
                fields["consent"] = .string(consents[writer - 1])
            }
            output.append(contentsOf: CanonicalJSON.encode(.object(fields)))
            output.append(0x0A)
        }
        try Data(output).write(to: manifest)
        return manifest
    }
}

extension DemoData {
    /// Verifies a proof folder and summarises the outcome in one line.
    static func verify(_ proof: URL, model: URL, trust: TrustAnchor) throws -> String {
        var verifier = ProofVerifier()
        verifier.trust = trust
        var steps: [ProofVerifier.Step] = []
        do {
            let report = try verifier.verify(try ProofBuilder.read(proof), model: model, steps: &steps)
            return "verified (\(steps.count) steps), status \(report.status)"
        } catch let error as ProofError {
            return "refused at step \(error.step): \(error.message)"
        }
    }

    /// Copies the ledger folder and flips one bit of the first occurrence of `text` in its database.
    static func tamperedCopy(of ledger: URL, in folder: URL, changing text: String) throws -> URL {
        let copy = folder.appendingPathComponent("tampered-copy")
        try FileManager.default.copyItem(at: ledger, to: copy)
        let database = copy.appendingPathComponent("ledger.sqlite")
        var bytes = [UInt8](try Data(contentsOf: database))
        let needle = Array(text.utf8)
        guard
            let start = (0...(bytes.count - needle.count)).first(where: {
                bytes[$0..<$0 + needle.count].elementsEqual(needle)
            })
        else { throw LedgerError(.notFound, "the text \(text) is not in \(database.path)") }
        bytes[start + needle.count - 3] ^= 0x01
        try Data(bytes).write(to: database)
        return copy
    }
}

/// Prints the demo's numbered steps.
struct DemoSteps {
    /// A step line.
    func say(_ text: String) { Console.line(text) }
    /// An indented detail line.
    func detail(_ text: String) { Console.line("   " + text) }
}

extension DemoData {
    /// The demo's external shard "trainer": a digest of the shard's sorted sample contents and its
    /// sample count (standard tools only, so it runs in the sandbox on any machine).
    static let shardCommand =
        #"find "$ASSENT_INPUT/samples" -type f -exec cat {} + | sort | sha256sum > "$ASSENT_OUTPUT/model"; ls "$ASSENT_INPUT/samples" | wc -l > "$ASSENT_OUTPUT/count""#

    /// The demo's aggregate: the shard digests in shard order.
    static let aggregateCommand = #"cat "$ASSENT_SHARDS_DIR"/*/model > "$ASSENT_OUTPUT/models""#
}
