public import AssentEngine
internal import AssentExports
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
            var contents: [String: TrainingContent] = [:]
            for record in chain where contents[record.snapshot] == nil {
                snapshotOrder.append(record.snapshot)
                contents[record.snapshot] = try TrainingContent.read(try snapshots.load(record.snapshot), store: store)
            }
            // A sample is revoked in this chain when a snapshot holds it and the next one does not.
            var revoked: Set<String> = []
            for (earlier, later) in zip(snapshotOrder, snapshotOrder.dropFirst()) {
                let kept = Set(contents[later]!.samples.map(\.commitment))
                revoked.formUnion(contents[earlier]!.samples.map(\.commitment).filter { !kept.contains($0) })
            }
            var groups: [String: (source: String, license: String, samples: Set<String>, revoked: Int)] = [:]
            var groupCounts: [String: [String: Int]] = [:]
            for snapshot in snapshotOrder {
                for sample in contents[snapshot]!.samples {
                    let key = "group:\(sample.sources[0])|\(sample.licenses[0])"
                    var group = groups[key] ?? (sample.sources[0], sample.licenses[0], [], 0)
                    if group.samples.insert(sample.commitment).inserted, revoked.contains(sample.commitment) {
                        group.revoked += 1
                    }
                    groups[key] = group
                    groupCounts[key, default: [:]][snapshot, default: 0] += 1
                }
            }
            var nodes: [Node] = groups.keys.sorted().map { key in
                let group = groups[key]!
                return Node(
                    id: key, kind: .group, label: "\(group.source) · \(group.license)",
                    detail: "\(group.samples.count) samples" + (group.revoked > 0 ? ", \(group.revoked) revoked" : ""),
                    isMarked: group.revoked > 0, link: nil)
            }
            var edges: [Edge] = []
            for snapshot in snapshotOrder {
                let content = contents[snapshot]!
                nodes.append(
                    Node(
                        id: "snapshot:\(snapshot)", kind: .snapshot, label: "snapshot \(snapshot)",
                        detail: "\(content.samples.count) samples, \(content.snapshot.policy.name)", isMarked: false,
                        link: "/v1/snapshots/\(snapshot)"))
                for key in groups.keys.sorted() {
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
