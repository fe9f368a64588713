import Foundation
import Synchronization

/// Progress of a long command on stderr: on a terminal one line (count, total where known, rate and
/// time left) redrawn in place and cleared when done; elsewhere a plain line every few seconds; with
/// `--quiet` nothing. Safe to update from worker threads (one `Mutex` guards the state).
final class ProgressLine: Sendable {
    private struct State {
        var phase = ""
        var phaseStarted = Date()
        /// On a terminal, nothing drawn yet; elsewhere the start, so that a command that ends within
        /// five seconds prints no progress at all.
        var lastDrawn: Date
        var isShown = false
    }

    private let isQuiet: Bool
    private let isTerminal = isatty(2) == 1
    private let state: Mutex<State>

    /// A progress line that prints nothing when `quiet`.
    init(quiet: Bool) {
        isQuiet = quiet
        state = Mutex(State(lastDrawn: isatty(2) == 1 ? .distantPast : Date()))
    }

    /// Reports `done` of `total` (nil when unknown) in `phase`; draws at most ten times a second on a
    /// terminal, every five seconds elsewhere.
    func update(_ phase: String, done: Int, total: Int? = nil) {
        guard !isQuiet else { return }
        let now = Date()
        let text: String? = state.withLock { state in
            let isNewPhase = state.phase != phase
            if isNewPhase {
                state.phase = phase
                state.phaseStarted = now
            }
            let interval = isTerminal ? 0.1 : 5
            let isLast = total.map { done >= $0 } ?? false
            let isDue = now.timeIntervalSince(state.lastDrawn) >= interval
            guard isDue || (isTerminal && (isNewPhase || isLast)) else {
                return nil
            }
            state.lastDrawn = now
            state.isShown = true
            return Self.describe(phase, done: done, total: total, seconds: now.timeIntervalSince(state.phaseStarted))
        }
        guard let text else { return }
        let line = isTerminal ? "\r\u{1B}[K" + text : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Clears the line on a terminal; call before printing the summary.
    func finish() {
        let wasShown = state.withLock { state in
            defer { state.isShown = false }
            return state.isShown
        }
        if wasShown && isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// "validating: 120,000 (41,200/s)" or "committing: 30,000 of 100,000 (20,100/s, 3 s left)".
    static func describe(_ phase: String, done: Int, total: Int?, seconds: Double) -> String {
        if done == 0 && total == nil { return "\(phase)…" }
        let rate = seconds > 0.05 ? Double(done) / seconds : 0
        var text = "\(phase): \(grouped(done))"
        if let total { text += " of \(grouped(total))" }
        if rate > 0 {
            text += " (\(grouped(Int(rate)))/s"
            if let total, total > done { text += ", \(Int((Double(total - done) / rate).rounded(.up))) s left" }
            text += ")"
        }
        return text
    }

    private static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }
}
