import AssentStorage
import Foundation
import Testing

@testable import AssentLog

@Suite struct LedgerTests {
    func makeLedger(entries: Int = 0, batch: Int = 50, time: String = "2026-01-02T03:04:05Z") throws -> (Ledger, URL) {
        let folder = temporaryFolder()
        let ledger = try Ledger.create(at: folder, origin: "example.org/test")
        ledger.clock = { time }
        var written = 0
        while written < entries {
            let count = min(batch, entries - written)
            try ledger.appendNotes(
                (0..<count).map { offset in
                    ("note", JSONObject([("marker", .string("MARK\(written + offset)X"))]))
                })
            written += count
        }
        return (ledger, folder)
    }

    @Test func appendsVerifyAndProveAgainstEveryCheckpoint() throws {
        let (ledger, folder) = try makeLedger(entries: 300, batch: 60)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try ledger.size() == 300)
        let report = try ledger.verify()
        #expect(report.entries == 300 && report.checkpoints == 6)
        let sizes: [UInt64] = [60, 120, 180, 240, 300]
        for size in sizes {
            let checkpoint = try Checkpoint.open(try ledger.checkpointNote(size: size), verifier: ledger.verifier)
            for index in stride(from: UInt64(0), to: size, by: 7) {
                let proof = try ledger.inclusionProof(index: index, size: size)
                #expect(try proof.verify(entry: try ledger.entry(index).bytes, verifier: ledger.verifier) == checkpoint)
            }
            for old in sizes where old <= size {
                let oldCheckpoint = try Checkpoint.open(try ledger.checkpointNote(size: old), verifier: ledger.verifier)
                let proof = try ledger.consistencyProof(oldSize: old, newSize: size)
                #expect(
                    MerkleVerification.verifyConsistency(
                        size1: old, size2: size, root1: oldCheckpoint.root, root2: checkpoint.root, proof: proof))
            }
        }
        #expect(throws: LedgerError(.notFound, "")) { try ledger.inclusionProof(index: 1, size: 61) }
    }

    @Test func entriesAreCanonicalAndChained() throws {
        let (ledger, folder) = try makeLedger(entries: 3)
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try ledger.entry(0)
        #expect(
            String(decoding: first.bytes, as: UTF8.self)
                == #"{"at":"2026-01-02T03:04:05Z","marker":"MARK0X","prev":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=","seq":0,"type":"note","v":1}"#
        )
        let second = try ledger.entry(1)
        #expect(try JSONParser.parse(second.bytes).objectValue?["prev"]?.stringValue == Base64.encode(first.leafHash))
    }

    @Test func theSchemaRefusesUpdateDeleteAndReplace() throws {
        let (ledger, folder) = try makeLedger(entries: 3)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = ledger.database
        let attempts = [
            "UPDATE entries SET body = x'00' WHERE seq = 1",
            "DELETE FROM entries WHERE seq = 2",
            "INSERT OR REPLACE INTO entries (seq, type, body) VALUES (1, 'note', x'7b7d')",
            "REPLACE INTO entries (seq, type, body) VALUES (2, 'note', x'7b7d')",
            "INSERT INTO entries (seq, type, body) VALUES (7, 'note', x'7b7d')",
            "INSERT INTO entries (seq, type, body) VALUES (2, 'note', x'7b7d')",
            "UPDATE checkpoints SET note = 'x' WHERE size = 3",
            "DELETE FROM checkpoints WHERE size = 0",
            "INSERT OR REPLACE INTO checkpoints (size, note) VALUES (3, 'x')",
            "DELETE FROM tree_tiles",
        ]
        for sql in attempts {
            #expect(throws: StorageError.self, "\(sql)") { try database.execute(sql) }
        }
        #expect(try ledger.verify().entries == 3)
    }

    @Test func aFailedWriteLeavesNothing() throws {
        let (ledger, folder) = try makeLedger(entries: 2)
        defer { try? FileManager.default.removeItem(at: folder) }
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try ledger.write { writer in
                try writer.append(type: "note", fields: JSONObject([("a", .integer(1))]))
                throw Abort()
            }
        }
        #expect(throws: LedgerError.self) {
            try ledger.appendNotes([("note", JSONObject([("ok", .integer(1))])), ("sample", JSONObject())])
        }
        #expect(throws: LedgerError.self) {
            try ledger.appendNotes([
                ("note", JSONObject([("ok", .integer(1))])), ("note", JSONObject([("seq", .integer(9))])),
            ])
        }
        #expect(throws: LedgerError.self) {
            try ledger.appendNotes([("note", JSONObject([("big", .string(String(repeating: "x", count: 70_000)))]))])
        }
        #expect(try ledger.size() == 2)
        #expect(try ledger.checkpointCount() == 2)
        #expect(try ledger.verify().entries == 2)
    }

    @Test func createRefusesAnExistingLedger() throws {
        let (_, folder) = try makeLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: LedgerError(.alreadyExists, "")) { try Ledger.create(at: folder) }
        #expect(throws: LedgerError(.notALedger, "")) { try Ledger(opening: folder.appendingPathComponent("missing")) }
    }

    @Test func aLedgerOfAnotherSchemaVersionIsRefusedByName() throws {
        let (ledger, folder) = try makeLedger(entries: 2)
        defer { try? FileManager.default.removeItem(at: folder) }
        try ledger.database.run("UPDATE meta SET value = '2' WHERE key = 'schema'")
        do {
            _ = try Ledger(opening: folder)
            Issue.record("a ledger of schema version 2 was opened")
        } catch let error as LedgerError {
            #expect(error.code == .notALedger)
            #expect(
                error.message
                    == "\(ledger.paths.database.path) holds a ledger of schema version 2; this assent reads version 1")
        }
    }

    @Test func privateKeysReadableByOthersAreRefused() throws {
        let (ledger, folder) = try makeLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        let attributes = try FileManager.default.attributesOfItem(atPath: ledger.paths.logPrivateKey.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: ledger.paths.logPrivateKey.path)
        let reopened = try Ledger(opening: folder)
        do {
            try reopened.appendNotes([("note", JSONObject())])
            Issue.record("a group-readable key was accepted")
        } catch let error as LedgerError {
            #expect(error.code == .key)
            #expect(error.message.contains("chmod 600"))
        }
    }

    /// Changes one byte of the database file at the first occurrence of `marker`, with no SQLite involved.
    func flipByte(in folder: URL, marker: String, offset: Int = 0) throws {
        let path = LedgerPaths(folder: folder).database.path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let needle = Array(marker.utf8)
        guard
            let start = (0...(bytes.count - needle.count)).first(where: {
                bytes[$0..<$0 + needle.count].elementsEqual(needle)
            })
        else {
            Issue.record("marker \(marker) not found in the database file")
            return
        }
        bytes[start + offset] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func verifyNamesTheEntryWhoseBytesChangedOnDisk() throws {
        let folder: URL
        do {
            let (_, made) = try makeLedger(entries: 600, batch: 100)
            folder = made
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        try flipByte(in: folder, marker: "MARK417X", offset: 5)
        let ledger = try Ledger(opening: folder)
        do {
            _ = try ledger.verify()
            Issue.record("a changed entry was not detected")
        } catch let error as LedgerError {
            #expect(error.code == .verificationFailed)
            #expect(error.message.hasPrefix("entry 417:"), "\(error.message)")
        }
    }

    @Test func verifyNamesATamperedCheckpoint() throws {
        let folder: URL
        do {
            let (ledger, made) = try makeLedger(entries: 10, batch: 5)
            folder = made
            _ = ledger
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        try flipByte(in: folder, marker: "example.org/test\n10\n", offset: 18)
        do {
            _ = try Ledger(opening: folder).verify()
            Issue.record("a changed checkpoint was not detected")
        } catch let error as LedgerError {
            #expect(error.message.hasPrefix("checkpoint at size 10"), "\(error.message)")
        }
    }

    @Test func trustedCheckpointsCatchAForkedLog() throws {
        let (ledger, folder) = try makeLedger(entries: 5)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (other, otherFolder) = try makeLedger(entries: 7, time: "2026-01-02T03:04:06Z")
        defer { try? FileManager.default.removeItem(at: otherFolder) }
        let kept = try ledger.latestCheckpoint().note
        try ledger.appendNotes([("note", JSONObject())])
        #expect(try ledger.verify(trustedCheckpoint: kept).trustedSize == 5)
        #expect(throws: LedgerError(.verificationFailed, "")) {
            try other.verify(trustedCheckpoint: kept, trustedVerifier: ledger.verifier)
        }
    }
}
