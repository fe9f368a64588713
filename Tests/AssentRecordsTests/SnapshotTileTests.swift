import AssentCrypto
import AssentLog
import AssentStorage
import Foundation
import Testing

@testable import AssentRecords

@Suite struct SnapshotTileTests {
    /// A ledger of `count` samples under two licences, and a 3-shard snapshot of it.
    func snapshot(of count: Int) throws -> (RecordsFixture, SnapshotStore, Snapshot) {
        let fixture = try RecordsFixture()
        if count > 0 {
            let lines = (0..<count).map {
                #"{"text":"tile sample \#($0)","license":"\#($0 % 3 == 0 ? "MIT" : "CC-BY-4.0")","source":"s"}"#
            }
            _ = try fixture.ingest(try fixture.manifest("m.jsonl", lines))
        }
        let store = SnapshotStore(store: fixture.store)
        return (fixture, store, try store.create(policy: .standard, shards: 3))
    }

    /// Commitments that are not members: below, between and above the members.
    func outsiders(_ members: [SnapshotMember]) -> [[UInt8]] {
        var found = [[UInt8](repeating: 0, count: 32), [UInt8](repeating: 0xff, count: 32)]
        for member in members.prefix(120) {
            var next = member.commitment
            next[31] &+= 1
            found.append(next)
        }
        return found.filter { candidate in !members.contains { $0.commitment == candidate } }
    }

    @Test(arguments: [0, 1, 255, 256, 257, 520])
    func tileProofsEqualProofsOverEveryMember(count: Int) throws {
        let (fixture, store, snapshot) = try snapshot(of: count)
        defer { fixture.cleanUp() }
        let members = try store.members(snapshot)
        #expect(members.count == count)
        for commitment in members.map(\.commitment) + outsiders(members) {
            let fromTiles = try store.prove(snapshot, commitment: commitment)
            let fromMembers = try SnapshotProof.make(snapshot: snapshot, members: members, commitment: commitment)
            #expect(CanonicalJSON.encode(.object(fromTiles)) == CanonicalJSON.encode(.object(fromMembers)))
            _ = try SnapshotProof.verify(fromTiles, root: snapshot.root, size: UInt64(snapshot.count))
        }
    }

    @Test func aSnapshotFromALedgerWithoutTileTablesGetsTilesOnItsFirstProof() throws {
        let (fixture, _, snapshot) = try snapshot(of: 600)
        defer { fixture.cleanUp() }
        // A ledger written before proof tiles existed: the tables are not there at all.
        try fixture.store.database.run("DROP TABLE snapshot_tiles")
        try fixture.store.database.run("DROP TABLE snapshot_trees")
        let reopened = try RecordStore(ledger: try Ledger(opening: fixture.ledger.paths.folder))
        let store = SnapshotStore(store: reopened)
        let database = reopened.database
        let member = try store.members(snapshot)[300].commitment
        #expect(try store.prove(snapshot, commitment: member)["member"]?.boolValue == true)
        #expect(try database.scalarInteger("SELECT COUNT(*) FROM snapshot_tiles") == 3, "600 leaves: 3 tiles")
        #expect(try database.scalarInteger("SELECT tiles FROM snapshot_trees") == 3)
    }

    @Test func damagedTilesAreRebuiltAndNeverGiveAWrongAnswer() throws {
        let (fixture, store, snapshot) = try snapshot(of: 600)
        defer { fixture.cleanUp() }
        let members = try store.members(snapshot)
        let database = fixture.store.database
        // Drop the second tile's records: its members would look absent if the tiles were trusted.
        try database.run("UPDATE snapshot_tiles SET members = substr(members, 1, 36) WHERE tile = 1")
        let proof = try store.prove(snapshot, commitment: members[400].commitment)
        #expect(proof["member"]?.boolValue == true, "a damaged tile was rebuilt from the members")
        #expect(try SnapshotProof.verify(proof, root: snapshot.root, size: UInt64(snapshot.count)))
        #expect(try database.scalarInteger("SELECT length(members) FROM snapshot_tiles WHERE tile = 1") == 256 * 36)
    }
}
