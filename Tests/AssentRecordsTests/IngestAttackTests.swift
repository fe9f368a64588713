import AssentCrypto
import AssentLog
import AssentStorage
import Foundation
import Testing

@testable import AssentRecords

/// The attacks of the security review against ingest and the vault, scripted. Each failed before its fix.
@Suite struct IngestAttackTests {
    /// Ingests `lines` from `name`, running `between` after validation and before the first commit.
    func ingest(
        _ fixture: RecordsFixture, _ name: String, _ lines: [String], options: IngestOptions = IngestOptions(),
        between: @escaping () throws -> Void = {}
    ) throws -> IngestReport {
        try Ingestor(store: fixture.store).ingest(try fixture.manifest(name, lines), options: options) { phase, _, _ in
            if phase == "validated" { try? between() }
        }
    }

    func refusal(_ fixture: RecordsFixture, _ lines: [String], options: IngestOptions = IngestOptions()) throws
        -> String
    {
        let size = try fixture.ledger.size()
        do {
            _ = try ingest(fixture, "attack.jsonl", lines, options: options)
        } catch let error as RecordsError {
            #expect(try fixture.ledger.size() == size, "a refused ingest logs nothing")
            return error.message
        }
        Issue.record("the attack was accepted: \(lines)")
        return ""
    }

    func line(path: String) -> String { #"{"path":"\#(path)","license":"MIT","source":"s"}"# }

    @Test func absolutePathsDotDotAndProcAreRefusedByDefault() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let key = fixture.ledger.paths.logPrivateKey.path
        #expect(try refusal(fixture, [line(path: key)]).contains("--allow-outside"))
        #expect(try refusal(fixture, [line(path: "ledger/../ledger/log.key")]).contains("--allow-outside"))
        #expect(try refusal(fixture, [line(path: "ledger/log.key")]).contains("inside the ledger folder"))
        var outside = IngestOptions()
        outside.allowOutside = true
        #expect(try refusal(fixture, [line(path: "/proc/self/environ")], options: outside).contains("/proc"))
        #expect(try refusal(fixture, [line(path: key)], options: outside).contains("ledger folder"))
        #expect(try refusal(fixture, [line(path: "/dev/null")], options: outside).contains("/dev"))
    }

    @Test func symlinksFIFOsAndHardLinksAreRefused() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let folder = fixture.folder
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("link").path,
            withDestinationPath: fixture.ledger.paths.logPrivateKey.path)
        #expect(try refusal(fixture, [line(path: "link")]).contains("symbolic link"))
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("real"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: folder.appendingPathComponent("real/x"))
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("dirlink").path,
            withDestinationPath: folder.appendingPathComponent("real").path)
        #expect(try refusal(fixture, [line(path: "dirlink/x")]).contains("symbolic link"))
        #expect(mkfifo(folder.appendingPathComponent("fifo").path, 0o600) == 0)
        #expect(try refusal(fixture, [line(path: "fifo")]).contains("FIFO"))
        #expect(link(folder.appendingPathComponent("real/x").path, folder.appendingPathComponent("hard").path) == 0)
        #expect(try refusal(fixture, [line(path: "hard")]).contains("hard links"))
    }

    @Test func aFolderIngestSkipsHiddenFoldersWholeAndNeverTheLedger() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let data = fixture.folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(
            at: data.appendingPathComponent(".git/objects"), withIntermediateDirectories: true)
        try Data("GIT-SECRET".utf8).write(to: data.appendingPathComponent(".git/objects/blob"))
        try Data("visible".utf8).write(to: data.appendingPathComponent("a.txt"))
        let report = try Ingestor(store: fixture.store).ingest(
            .folder(data),
            defaults: IngestDefaults(fields: JSONObject([("license", .string("MIT")), ("source", .string("s"))])))
        #expect(report.added == 1, "only a.txt: not .git's descendants")
        // The ledger's own folder, ingested as a folder, is refused rather than copied into itself.
        let own = try Ingestor(store: fixture.store).ingest(
            .folder(fixture.folder),
            defaults: IngestDefaults(fields: JSONObject([("license", .string("MIT")), ("source", .string("t"))])))
        #expect(own.added == 0 && own.addedSources == 1, "only data/a.txt again: nothing below the ledger folder")
    }

    @Test func aFileSwappedForASymlinkAfterValidationStoresTheValidatedBytes() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let file = fixture.folder.appendingPathComponent("sample.txt")
        try Data("ORIGINAL".utf8).write(to: file)
        let report = try ingest(fixture, "m.jsonl", [line(path: "sample.txt")]) {
            try FileManager.default.removeItem(at: file)
            try FileManager.default.createSymbolicLink(
                atPath: file.path, withDestinationPath: fixture.ledger.paths.logPrivateKey.path)
        }
        #expect(report.added == 1)
        let sample = try #require(try fixture.entries(ofType: "sample").first)
        let commitment = try #require(sample["commitment"]?.stringValue.flatMap(RevocationRegistry.parseCommitment))
        #expect(try fixture.store.content(of: commitment) == Array("ORIGINAL".utf8))
    }

    @Test func aManifestChangedBetweenThePassesChangesNothing() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let url = fixture.folder.appendingPathComponent("m.jsonl")
        _ = try ingest(fixture, "m.jsonl", [#"{"text":"harmless","license":"MIT","source":"s"}"#]) {
            try Data((#"{"text":"SWAPPED-IN","license":"MIT","source":"s"}"# + "\n").utf8).write(to: url)
        }
        #expect(try !fixture.allEntryBytes().contains("SWAPPED"))
        #expect(try fixture.store.status()["samples"]?.integerValue == 1)
    }

    @Test func theLedgerChecksRunAgainInsideTheCommit() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let consent = try fixture.registry.grant(
            subject: "dan@example.org", purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil, evidence: nil)
        let lines = [#"{"text":"dan's","license":"MIT","source":"s","consent":"\#(consent.id)"}"#]
        do {
            _ = try ingest(fixture, "m.jsonl", lines) {
                try RevocationRegistry(store: fixture.store).revoke(.consent(consent.id))
            }
            Issue.record("a sample was committed under a consent withdrawn after validation")
        } catch let error as RecordsError { #expect(error.message.contains("withdrawn")) }
        #expect(try fixture.store.status()["samples"]?.integerValue == 0)
    }

    @Test func pipesAreIngestedAndOversizedFilesRefused() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let fifo = fixture.folder.appendingPathComponent("pipe.jsonl")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let writer = Thread {
            let handle = FileHandle(forWritingAtPath: fifo.path)!
            handle.write(Data((#"{"text":"piped","license":"MIT","source":"s"}"# + "\n").utf8))
            try? handle.close()
        }
        writer.start()
        #expect(try Ingestor(store: fixture.store).ingest(.jsonl(fifo)).added == 1, "a manifest on a pipe is ingested")
        try Data(repeating: 7, count: 5000).write(to: fixture.folder.appendingPathComponent("big.bin"))
        var options = IngestOptions()
        options.maximumSampleSize = 4096
        #expect(try refusal(fixture, [line(path: "big.bin")], options: options).contains("--max-sample-size"))
    }

    @Test func entriesOverTheLogLimitFailValidationBeforeAnyChunk() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let long = (0..<4000).map { "LicenseRef-L\($0)" }.joined(separator: " AND ")
        var options = IngestOptions()
        options.chunkSize = 1
        let lines = [
            #"{"text":"first","license":"MIT","source":"s"}"#, #"{"text":"x","license":"\#(long)","source":"s"}"#,
        ]
        #expect(try refusal(fixture, lines, options: options).contains("line 2: its entry would be"))
        #expect(try fixture.store.status()["samples"]?.integerValue == 0, "the first chunk was not written")
    }

    @Test func editedVaultContentNeverLeavesTheVault() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        _ = try ingest(fixture, "m.jsonl", [#"{"text":"genuine","license":"MIT","source":"s"}"#])
        try fixture.store.database.run("UPDATE vault_content SET content = ?", [.blob(Array("forged".utf8))])
        let commitment = try #require(
            try fixture.entries(ofType: "sample").first?["commitment"]?.stringValue.flatMap(
                RevocationRegistry.parseCommitment))
        #expect(throws: RecordsError(.conflict, "")) { try fixture.store.content(of: commitment) }
    }

    @Test func erasingASubjectDeletesTheirConsentEvidenceAndKeysTheLoggedDigests() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        let form = "CONSENT FORM signed by Erin Example"
        let consent = try fixture.registry.grant(
            subject: "erin@example.org", purposes: ["ai-training"], legalBasis: "consent", expiresAt: nil,
            evidence: Array(form.utf8))
        _ = try ingest(
            fixture, "m.jsonl",
            [#"{"text":"erin's","license":"MIT","source":"s","consent":"\#(consent.id)","attribution":"Erin Example"}"#]
        )
        let log = try fixture.allEntryBytes()
        for plain in [form, "Erin Example"] {
            #expect(!log.contains(Hex.encode(SHA256.hash(Array(plain.utf8)))), "an unsalted digest is confirmable")
        }
        #expect(log.contains(KeyedDigest.prefix))
        try RevocationRegistry(store: fixture.store).revoke(.subject("erin@example.org"))
        _ = try EraseRegistry(store: fixture.store).erase(.subject("erin@example.org"))
        let rows = try fixture.store.database.scalarInteger("SELECT count(*) FROM vault_consent_evidence") ?? -1
        #expect(rows == 0)
        let database = [UInt8]((try? Data(contentsOf: fixture.ledger.paths.database)) ?? Data())
        #expect(!database.contains("CONSENT FORM"))
    }

    @Test func theDatabaseAndContentFilesArePrivateAndAReadableVaultKeyIsRefused() throws {
        let fixture = try RecordsFixture()
        defer { fixture.cleanUp() }
        try Data(repeating: 1, count: 3 << 20).write(to: fixture.folder.appendingPathComponent("large.bin"))
        var inline = IngestOptions()
        inline.inlineLimit = 1 << 20
        _ = try ingest(fixture, "m.jsonl", [line(path: "large.bin")], options: inline)
        func mode(_ url: URL) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.posixPermissions] as? Int) ?? -1
        }
        let folder = fixture.ledger.paths.folder
        let databaseFile =
            fixture.ledger.database.isPostgres ? fixture.ledger.paths.databaseURL : fixture.ledger.paths.database
        #expect(mode(databaseFile) == 0o600)
        #expect(mode(folder) == 0o700)
        let content = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("content").path)
        #expect(content.count == 1 && mode(folder.appendingPathComponent("content/" + content[0])) == 0o600)
        _ = try fixture.store.vaultKey()
        chmod(fixture.ledger.paths.vaultKey.path, 0o644)
        #expect(throws: LedgerError.self) { try Ledger(opening: folder) }
    }
}
