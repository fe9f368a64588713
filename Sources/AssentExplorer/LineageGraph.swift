public import AssentEngine
internal import AssentLog
internal import AssentRecords

/// A model's lineage as a three-layer graph: groups of samples (by source dataset and licence, with
/// counts) to the snapshots of the model's chain of reproductions, to the models themselves, each
/// linked to its successor. Samples are always grouped, so a large ledger draws a few nodes.
public struct LineageGraph: Sendable, Equatable {
    /// What a node stands for.
    public enum Kind: String, Sendable {
        case group, snapshot, model
    }

    /// One node.
    public struct Node: Sendable, Equatable {
        /// A stable id: `group:<source>|<licence>`, `snapshot:<id>` or `model:<id>`.
        public let id: String
        /// Its layer.
        public let kind: Kind
        /// Its first line.
        public let label: String
        /// Its second line.
        public let detail: String
        /// A stale model, or a group some of whose samples were revoked.
        public let isMarked: Bool
        /// The explorer page it links to, if any.
        public let link: String?

        /// A node from its parts.
        public init(id: String, kind: Kind, label: String, detail: String, isMarked: Bool, link: String?) {
            (self.id, self.kind, self.label, self.detail, self.isMarked, self.link) = (
                id, kind, label, detail, isMarked, link
            )
        }
    }

    /// One edge.
    public struct Edge: Sendable, Equatable {
        /// The node it leaves and the one it reaches.
        public let from: String, to: String
        /// What it says (a count, "trained", "reproduced as").
        public let label: String

        /// An edge from its parts.
        public init(from: String, to: String, label: String) { (self.from, self.to, self.label) = (from, to, label) }
    }

    /// The model the graph is about.
    public let model: String
    /// The nodes, by layer and then in drawing order.
    public let nodes: [Node]
    /// The edges.
    public let edges: [Edge]

    /// A graph from its parts.
    public init(model: String, nodes: [Node], edges: [Edge]) {
        (self.model, self.nodes, self.edges) = (model, nodes, edges)
    }

    /// The lineage of `modelID`: every model of its chain of reproductions (before and after it),
    /// their snapshots, and the sample groups those hold.
    /// - Throws: for an unknown model.
    public static func build(model modelID: String, engine: Engine) throws -> LineageGraph {
        let store = engine.store
        return try store.ledger.reading {
            var chain = [try engine.model(modelID)]
            while let previous = chain[0].supersedes { chain.insert(try engine.model(previous), at: 0) }
            while let next = chain[chain.count - 1].supersededBy { chain.append(try engine.model(next)) }
            let snapshots = SnapshotStore(store: store)
            var snapshotOrder: [String] = []
            var loaded: [String: Snapshot] = [:]
            var contents: [String: [(commitment: [UInt8], license: String)]] = [:]
            for record in chain where contents[record.snapshot] == nil {
                snapshotOrder.append(record.snapshot)
                let snapshot = try snapshots.load(record.snapshot)
                loaded[record.snapshot] = snapshot
                contents[record.snapshot] = try snapshots.members(snapshot).map { ($0.commitment, $0.license) }
            }
            let sources = try store.firstSources()
            // A sample is revoked in this chain when a snapshot holds it and the next one does not.
            var revoked: Set<[UInt8]> = []
            for (earlier, later) in zip(snapshotOrder, snapshotOrder.dropFirst()) {
                let kept = Set(contents[later]!.map(\.commitment))
                revoked.formUnion(contents[earlier]!.map(\.commitment).filter { !kept.contains($0) })
            }
            // Mutated in place (a tuple read out and written back would copy its set per sample).
            var names: [String: (source: String, license: String)] = [:]
            var members: [String: Set<[UInt8]>] = [:]
            var revokedCounts: [String: Int] = [:]
            var groupCounts: [String: [String: Int]] = [:]
            for snapshot in snapshotOrder {
                for sample in contents[snapshot]! {
                    let source = sources[sample.commitment] ?? "unknown source"
                    let key = "group:\(source)|\(sample.license)"
                    if names[key] == nil { names[key] = (source, sample.license) }
                    if members[key, default: []].insert(sample.commitment).inserted, revoked.contains(sample.commitment)
                    {
                        revokedCounts[key, default: 0] += 1
                    }
                    groupCounts[key, default: [:]][snapshot, default: 0] += 1
                }
            }
            let groupKeys = names.keys.sorted()
            var nodes: [Node] = groupKeys.map { key in
                let (source, license) = names[key]!
                let lost = revokedCounts[key] ?? 0
                return Node(
                    id: key, kind: .group, label: "\(source) · \(license)",
                    detail: "\(members[key]!.count) samples" + (lost > 0 ? ", \(lost) revoked" : ""),
                    isMarked: lost > 0, link: nil)
            }
            var edges: [Edge] = []
            for snapshot in snapshotOrder {
                nodes.append(
                    Node(
                        id: "snapshot:\(snapshot)", kind: .snapshot, label: "snapshot \(snapshot)",
                        detail: "\(contents[snapshot]!.count) samples, \(loaded[snapshot]!.policy.name)",
                        isMarked: false,
                        link: "/v1/snapshots/\(snapshot)"))
                for key in groupKeys {
                    if let count = groupCounts[key]?[snapshot] {
                        edges.append(Edge(from: key, to: "snapshot:\(snapshot)", label: "\(count)"))
                    }
                }
            }
            for (offset, record) in chain.enumerated() {
                nodes.append(
                    Node(
                        id: "model:\(record.id)", kind: .model, label: "model \(ModelRecord.short(record.id))",
                        detail: record.isStale ? "STALE, \(record.trainer)" : "current, \(record.trainer)",
                        isMarked: record.isStale, link: "/models/\(record.id)"))
                edges.append(Edge(from: "snapshot:\(record.snapshot)", to: "model:\(record.id)", label: "trained"))
                if offset > 0 {
                    edges.append(
                        Edge(from: "model:\(chain[offset - 1].id)", to: "model:\(record.id)", label: "reproduced as"))
                }
            }
            return LineageGraph(model: modelID, nodes: nodes, edges: edges)
        }
    }
}

extension ModelRecord {
    /// A model id shortened for a label: `sha256:` and the first 12 hex digits.
    public static func short(_ id: String) -> String { String(id.prefix(19)) }
}
