import AssentCrypto
import AssentLog
import AssentRecords
import Foundation
import Testing

@testable import AssentEngine

/// The attacks of the security review against external trainers and reproduction, scripted.
@Suite(.serialized) struct ExternalTrainerAttackTests {
    var unconfined: ExecOptions {
        var options = ExecOptions()
        options.isSandboxed = false
        return options
    }

    func leftovers(_ fixture: EngineFixture) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: fixture.ledger.paths.scratch.path)) ?? []
    }

    @Test func theSandboxHidesTheLedgerTheEnvironmentAndTheNetwork() throws {
        let fixture = try EngineFixture(count: 20, subjects: 2)
        defer { fixture.cleanUp() }
        setenv("ASSENT_LEDGER", fixture.ledger.paths.folder.path, 1)
        setenv("SECRET_TOKEN", "hunter2", 1)
        defer {
            unsetenv("ASSENT_LEDGER")
            unsetenv("SECRET_TOKEN")
        }
        let key = fixture.ledger.paths.logPrivateKey.path
        let command = """
            env | cut -d= -f1 | sort > "$ASSENT_OUTPUT/env"
            if cat "\(key)" >/dev/null 2>&1; then echo readable; else echo hidden; fi > "$ASSENT_OUTPUT/key"
            ls / | sort > "$ASSENT_OUTPUT/root"
            tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' > "$ASSENT_OUTPUT/net"
            touch "$ASSENT_INPUT/x" 2>/dev/null && echo writable > "$ASSENT_OUTPUT/input" || echo read-only > "$ASSENT_OUTPUT/input"
            """
        let result = try fixture.engine.trainExternal(command: command)
        let folder = fixture.engine.folder(of: result.model)
        func read(_ name: String) throws -> String {
            try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        }
        let names = try read("env").split(separator: "\n").map(String.init)
        #expect(!names.contains("ASSENT_LEDGER") && !names.contains("SECRET_TOKEN"))
        #expect(
            Set(names).isSubset(of: [
                "ASSENT_INPUT", "ASSENT_OUTPUT", "ASSENT_SEED", "ASSENT_SHARDS", "ASSENT_THREADS",
                "HOME", "LANG", "MKL_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "PATH", "PWD", "SHLVL",
                "_",
            ]))
        #expect(try read("key") == "hidden\n")
        #expect(try read("input") == "read-only\n")
        #expect(try read("net") == "lo\n", "a network namespace of its own: only its own loopback")
        #expect(!(try read("root")).contains("work"), "the host's folders are not there")
        #expect(result.model.isSandboxed == true)
        #expect(leftovers(fixture).isEmpty, "the work folder is gone")
    }

    @Test func passEnvAndNoSandboxAreExplicitAndRecorded() throws {
        let fixture = try EngineFixture(count: 20, subjects: 2)
        defer { fixture.cleanUp() }
        setenv("TRAINER_FLAG", "on", 1)
        defer { unsetenv("TRAINER_FLAG") }
        var options = unconfined
        options.passedEnvironment = ["TRAINER_FLAG"]
        let result = try fixture.engine.trainExternal(
            command: #"echo "$TRAINER_FLAG" > "$ASSENT_OUTPUT/flag"; stat -c %a . > "$ASSENT_OUTPUT/mode""#,
            options: options)
        let folder = fixture.engine.folder(of: result.model)
        #expect(try String(contentsOf: folder.appendingPathComponent("flag"), encoding: .utf8) == "on\n")
        #expect(try String(contentsOf: folder.appendingPathComponent("mode"), encoding: .utf8) == "700\n")
        #expect(result.model.isSandboxed == false)
        let entry = try JSONParser.parse(try fixture.ledger.entry(result.model.seq).bytes).objectValue
        #expect(entry?["sandboxed"]?.boolValue == false)
    }

    @Test func failedRunsLeaveNoCopiesAndDeadRunsAreSwept() throws {
        let fixture = try EngineFixture(count: 20, subjects: 2)
        defer { fixture.cleanUp() }
        #expect(throws: EngineError(.trainerFailed, "")) { try fixture.engine.trainExternal(command: "exit 3") }
        #expect(leftovers(fixture).isEmpty)
        let dead = fixture.ledger.paths.scratch.appendingPathComponent("exec-dead")
        try FileManager.default.createDirectory(at: dead, withIntermediateDirectories: true)
        try Data("sample copy".utf8).write(to: dead.appendingPathComponent("lock"))
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-120)], ofItemAtPath: dead.path)
        _ = try fixture.engine.trainExternal(command: #"echo 1 > "$ASSENT_OUTPUT/m""#)
        #expect(leftovers(fixture).isEmpty, "a dead run's folder is removed at the next start")
    }

    @Test func onlyRegularFilesAreAcceptedAndBackgroundJobsAndTimeoutsAreKilled() throws {
        let fixture = try EngineFixture(count: 20, subjects: 2)
        defer { fixture.cleanUp() }
        for (command, kind) in [
            (#"mkfifo "$ASSENT_OUTPUT/pipe""#, "FIFO"), (#"ln -s /etc/passwd "$ASSENT_OUTPUT/link""#, "symbolic link"),
        ] {
            do {
                _ = try fixture.engine.trainExternal(command: command, options: unconfined)
                Issue.record("\(kind) accepted")
            } catch let error as EngineError { #expect(error.message.contains(kind)) }
        }
        let background = try fixture.engine.trainExternal(
            command: #"sleep 600 & echo done > "$ASSENT_OUTPUT/m""#, options: unconfined)
        #expect(background.isNew, "train returned although the command left a process behind")
        var limited = unconfined
        limited.timeoutSeconds = 1
        do {
            _ = try fixture.engine.trainExternal(command: "sleep 600", options: limited)
            Issue.record("the timeout did not fire")
        } catch let error as EngineError { #expect(error.message.contains("--timeout")) }
    }

    @Test func aPartialModelFolderIsReplacedNotTrusted() throws {
        let fixture = try EngineFixture(count: 20, subjects: 2)
        defer { fixture.cleanUp() }
        let command = #"echo weights > "$ASSENT_OUTPUT/w.bin"; echo more > "$ASSENT_OUTPUT/x.bin""#
        let first = try fixture.engine.trainExternal(command: command)
        let folder = fixture.engine.folder(of: first.model)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("x.bin"))
        _ = try fixture.engine.trainExternal(command: command)
        #expect(try ModelDigest(folder: folder).id == first.model.id)
    }

    @Test func aRevocationDuringExternalTrainingStalesTheModelInItsOwnTransaction() throws {
        let fixture = try EngineFixture(count: 20, subjects: 2)
        defer { fixture.cleanUp() }
        let scratch = fixture.ledger.paths.scratch
        let ledgerFolder = fixture.ledger.paths.folder
        let revoker = Thread {
            // Wait for the job to start, revoke through a second connection, then let the job finish.
            while true {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? []
                if let work = names.first(where: {
                    FileManager.default.fileExists(atPath: scratch.appendingPathComponent($0 + "/started").path)
                }) {
                    let store = try! RecordStore(ledger: try! Ledger(opening: ledgerFolder))
                    try! RevocationRegistry(store: store).revoke(.subject("w1"))
                    FileManager.default.createFile(
                        atPath: scratch.appendingPathComponent(work + "/go").path, contents: nil)
                    return
                }
                usleep(20_000)
            }
        }
        revoker.start()
        let result = try fixture.engine.trainExternal(
            command: #"touch started; while [ ! -e go ]; do sleep 0.05; done; echo m > "$ASSENT_OUTPUT/m""#,
            options: unconfined)
        #expect(result.staleOnArrival)
        let record = try fixture.engine.model(result.model.id)
        #expect(record.staleCauses.first?["kind"]?.stringValue == "revoked-during-training")
    }

    @Test func reproductionRefusesShardFilesThatDifferFromTheModelEntry() throws {
        let fixture = try EngineFixture(count: 60, subjects: 4)
        defer { fixture.cleanUp() }
        let trained = try fixture.engine.train(trainer: "logistic", config: EngineFixture.quick, shards: 4)
        let folder = fixture.engine.folder(of: trained.model)
        try RevocationRegistry(store: fixture.store).revoke(.subject("w1")) { writer, affected, id in
            _ = try fixture.engine.markStale(affected: affected, revocation: id, writer: writer)
        }
        for shard in 0..<4 {
            let file = folder.appendingPathComponent(String(format: "shard-%03d.bin", shard))
            var bytes = [UInt8](try Data(contentsOf: file))
            bytes[bytes.count / 2] ^= 0x01
            try Data(bytes).write(to: file)
        }
        do {
            _ = try fixture.engine.reproduce(trained.model.id)
            Issue.record("reproduction reused altered shard files")
        } catch let error as EngineError { #expect(error.message.contains("differs from the digest")) }
    }
}
