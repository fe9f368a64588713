/// A C2SP tlog-policy: which witnesses, in which k-of-n groups, must have cosigned a checkpoint.
///
/// Lines: `log <vkey> [<url>]`, `witness <name> <vkey> [<url>]`, `group <name> <k|any|all> <member>…`
/// (members are witnesses or earlier groups), `quorum <group or witness name | none>`; `#` starts a
/// comment. Only the witness cosignatures (Ed25519, cosignature/v1) are judged here; the log's own
/// signature is checked by whoever opens the checkpoint.
public struct WitnessPolicy: Sendable {
    private enum Member: Sendable {
        case witness(WitnessKey)
        case group(threshold: Int, members: [String])
    }
    private var members: [String: Member] = [:]
    private var quorum: String?

    /// Parses policy text.
    /// - Throws: ``NoteError`` `malformed` naming the line.
    public init(text: String) throws(NoteError) {
        var sawQuorum = false
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let keyword = words.first else { continue }
            func fail(_ why: String) -> NoteError { NoteError(.malformed, "policy line \(number + 1): \(why)") }
            switch keyword {
            case "log": guard words.count >= 2 else { throw fail("log <vkey> [<url>]") }
            case "witness":
                guard words.count == 3 || words.count == 4 else { throw fail("witness <name> <vkey> [<url>]") }
                guard members[words[1]] == nil else { throw fail("\(words[1]) is defined twice") }
                let key: WitnessKey
                do { key = try WitnessKey(words[2]) } catch { throw fail("\(error)") }
                members[words[1]] = .witness(key)
            case "group":
                guard words.count >= 4 else { throw fail("group <name> <k|any|all> <member>…") }
                guard members[words[1]] == nil else { throw fail("\(words[1]) is defined twice") }
                let names = Array(words[3...])
                for name in names where members[name] == nil { throw fail("\(name) is not defined above") }
                let threshold: Int
                switch words[2] {
                case "any": threshold = 1
                case "all": threshold = names.count
                default:
                    guard let k = Int(words[2]), (1...names.count).contains(k) else {
                        throw fail("the threshold is any, all or 1…\(names.count), not \(words[2])")
                    }
                    threshold = k
                }
                members[words[1]] = .group(threshold: threshold, members: names)
            case "quorum":
                guard words.count == 2, !sawQuorum else { throw fail("one quorum <name|none> line") }
                guard words[1] == "none" || members[words[1]] != nil else { throw fail("\(words[1]) is not defined") }
                quorum = words[1] == "none" ? nil : words[1]
                sawQuorum = true
            default: throw fail("unknown keyword \(keyword)")
            }
        }
        guard sawQuorum else { throw NoteError(.malformed, "the policy has no quorum line") }
    }

    /// Whether `note`'s cosignatures meet the quorum, and the witnesses whose cosignatures verified.
    /// - Throws: ``NoteError`` `badSignature` when a cosignature by a policy witness does not verify.
    public func evaluate(_ note: String) throws(NoteError) -> (satisfied: Bool, cosigners: [String]) {
        var cosigners: [String] = []
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            if case .witness(let key) = member, try Cosignature.timestamp(in: note, by: key) != nil {
                cosigners.append(name)
            }
        }
        guard let quorum else { return (true, cosigners) }
        func holds(_ name: String) -> Bool {
            switch members[name] {
            case .witness: return cosigners.contains(name)
            case .group(let threshold, let names): return names.filter(holds).count >= threshold
            case nil: return false
            }
        }
        return (holds(quorum), cosigners)
    }
}
