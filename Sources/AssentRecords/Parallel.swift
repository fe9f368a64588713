internal import Foundation

/// Splitting pure work across the machine's cores without changing its result.
package enum Parallel {
    /// The number of parts work is split into: the active processor count, at most 8.
    package static let width = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

    /// `work(part)` for every part in `0..<parts`, run concurrently, returned in part order.
    package static func map<T: Sendable>(parts: Int, _ work: @Sendable (Int) -> T) -> [T] {
        let results = Slots<T>(count: parts)
        DispatchQueue.concurrentPerform(iterations: parts) { part in results.set(part, work(part)) }
        return results.values
    }

    /// `count` items split into `parts` contiguous ranges, in order.
    package static func ranges(_ count: Int, parts: Int) -> [Range<Int>] {
        (0..<parts).map { part in count * part / parts..<count * (part + 1) / parts }
    }
}

/// One result slot per part, each written once by its own worker.
private final class Slots<T: Sendable>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) { lock.withLock { slots[index] = value } }

    var values: [T] { lock.withLock { slots.map { $0! } } }
}

/// A value handed to worker threads that only read it, or back from the one worker that made it.
/// `@unchecked Sendable`: nobody mutates it while another thread can see it.
struct UnsharedValue<Value>: @unchecked Sendable {
    /// The value.
    let value: Value

    /// Wraps `value`.
    init(_ value: Value) { self.value = value }
}

/// Work started on another thread at once, its result collected later: overlaps preparing the next
/// batch with the writer's work on this one. `@unchecked Sendable`: `result` is written once by the
/// worker before `group` is left, and read only after waiting for `group`.
final class Background<T>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: T?

    /// Starts `work` on a global queue.
    init(_ work: @escaping () -> T) {
        let work = UnsharedValue(work)
        group.enter()
        DispatchQueue.global().async {
            self.result = work.value()
            self.group.leave()
        }
    }

    /// Work already done here: a batch too small to be worth a thread hop.
    init(finished result: T) { self.result = result }

    /// Waits for the work to finish and returns its result.
    var value: T {
        group.wait()
        return result!
    }
}
