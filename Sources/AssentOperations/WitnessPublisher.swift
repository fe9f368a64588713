public import AssentLog
public import Foundation
internal import Synchronization
internal import AssentRecords

#if canImport(FoundationNetworking)
    internal import FoundationNetworking
#endif

/// What pushing the latest checkpoint to one witness came to.
public struct WitnessOutcome: Sendable, Equatable {
    /// What happened.
    public enum Status: String, Sendable {
        /// The witness cosigned the checkpoint (or had already).
        case cosigned
        /// The witness holds evidence of a fork of this log; nothing is published to it any more.
        case fork
        /// The push failed (unreachable, timed out, a garbled answer); it is tried again after the next write.
        case failed
    }
    /// The witness's name.
    public let witness: String
    /// What happened.
    public let status: Status
    /// The size pushed, and what the witness answered.
    public let detail: String
}

extension Operations {
    /// Pushes the latest checkpoint, with a consistency proof from the size each witness last cosigned,
    /// to every witness's `add-checkpoint` (c2sp.org/tlog-witness): a 409 is answered with a proof from
    /// the size the witness names, a 422 is kept as evidence of a fork (and publishing to that witness
    /// stops), each cosignature is verified before it is stored.
    /// - Parameter timeout: seconds to wait for each witness.
    public func publishToWitnesses(timeout: TimeInterval = 10) -> [WitnessOutcome] {
        guard let registry = try? WitnessRegistry(store: store), let witnesses = try? registry.list(),
            !witnesses.isEmpty,
            let (size, note) = try? ledger.latestCheckpoint()
        else { return [] }
        return witnesses.map { witness in
            guard witness.fork == nil else {
                return WitnessOutcome(
                    witness: witness.key.name, status: .fork, detail: "publishing stopped: \(witness.fork!)")
            }
            guard witness.size < size || size == 0 else {
                return WitnessOutcome(
                    witness: witness.key.name, status: .cosigned, detail: "already at size \(witness.size)")
            }
            return push(
                note, size: size, from: witness.size, to: witness, registry: registry, timeout: timeout, retries: 1)
        }
    }

    private func push(
        _ note: String, size: UInt64, from old: UInt64, to witness: WitnessRecord, registry: WitnessRegistry,
        timeout: TimeInterval, retries: Int
    ) -> WitnessOutcome {
        let name = witness.key.name
        func failed(_ detail: String) -> WitnessOutcome {
            WitnessOutcome(witness: name, status: .failed, detail: detail)
        }
        let proof: [[UInt8]]
        do { proof = old > 0 && old < size ? try ledger.consistencyProof(oldSize: old, newSize: size) : [] } catch {
            return failed("no consistency proof from size \(old): \(error)")
        }
        let body = "old \(old)\n" + proof.map { Base64.encode($0) + "\n" }.joined() + "\n" + note
        guard let url = URL(string: witness.url + "/add-checkpoint") else { return failed("bad URL \(witness.url)") }
        let (status, answer) = Self.post(Array(body.utf8), to: url, timeout: timeout)
        let text = String(decoding: answer, as: UTF8.self)
        switch status {
        case 200:
            for line in text.split(separator: "\n") where line.hasPrefix("— \(name) ") {
                let cosigned = Cosignature.adding(String(line), to: note)
                guard (try? Cosignature.timestamp(in: cosigned, by: witness.key)) != nil else { continue }
                do { try registry.record(cosignature: String(line), size: size, witness: name) } catch {
                    return failed("cannot store its cosignature: \(error)")
                }
                return WitnessOutcome(witness: name, status: .cosigned, detail: "cosigned size \(size)")
            }
            return failed("answered 200 without a valid cosignature by its key")
        case 409:
            guard let seen = UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                return failed("answered 409 without a size")
            }
            guard seen <= size else {
                try? registry.recordFork("it has size \(seen), past this log's \(size)", witness: name)
                return WitnessOutcome(
                    witness: name, status: .fork, detail: "it has seen size \(seen), past this log's \(size)")
            }
            guard retries > 0, seen != old else { return failed("answered 409 again (size \(seen))") }
            return push(
                note, size: size, from: seen, to: witness, registry: registry, timeout: timeout, retries: retries - 1)
        case 422:
            let evidence = "answered 422 to size \(size) from \(old): \(text.prefix(200))"
            try? registry.recordFork(evidence, witness: name)
            return WitnessOutcome(witness: name, status: .fork, detail: evidence)
        case nil:
            return failed("unreachable: \(text)")
        default:
            return failed("answered \(status!): \(text.prefix(200))")
        }
    }

    /// POSTs `body`; the status (nil when there was no answer) and the answer's body (or the error).
    private static func post(_ body: [UInt8], to url: URL, timeout: TimeInterval) -> (Int?, [UInt8]) {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        let result = Mutex<(Int?, [UInt8])>((nil, Array("no answer".utf8)))
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            let status = (response as? HTTPURLResponse)?.statusCode
            result.withLock {
                $0 = (status, data.map { Array($0) } ?? Array("\(error.map { "\($0)" } ?? "no answer")".utf8))
            }
            done.signal()
        }.resume()
        done.wait()
        return result.withLock { $0 }
    }
}
