internal import AssentExports
public import AssentLog
internal import Foundation

/// Draws a ``LineageGraph`` as inline SVG (the explorer's page and `assent lineage --format svg`),
/// as Graphviz DOT, or as an indented text tree. Deterministic: the same graph gives the same bytes.
public enum LineageRenderer {
    /// The colour of "stale" (and of revoked groups), everywhere: on pages, in SVG and in DOT.
    public static let staleColour = "#b3261e"

    static let width = 240, height = 56, rowStep = 72, top = 40
    static let columns: [LineageGraph.Kind: Int] = [.group: 16, .snapshot: 300, .model: 584]

    /// The graph as a standalone SVG document with a title, text labels and a link per node.
    public static func svg(_ graph: LineageGraph) -> String {
        var rows: [LineageGraph.Kind: Int] = [:]
        var places: [String: (x: Int, y: Int)] = [:]
        for node in graph.nodes {
            let row = rows[node.kind, default: 0]
            rows[node.kind] = row + 1
            places[node.id] = (columns[node.kind]!, top + row * rowStep)
        }
        let canvasHeight = top + max(1, rows.values.max() ?? 1) * rowStep
        let title = "Lineage of model \(graph.model): sample groups, snapshots and models"
        var parts = [
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(columns[.model]! + width + 130)" height="\#(canvasHeight)" viewBox="0 0 \#(columns[.model]! + width + 130) \#(canvasHeight)" role="img" aria-labelledby="lineage-title" font-family="DejaVu Sans Mono, monospace" font-size="12">"#,
            "<title id=\"lineage-title\">\(escape(title))</title>",
            "<text x=\"16\" y=\"22\" font-size=\"13\" font-weight=\"bold\">sample groups (source · licence)</text>",
            "<text x=\"300\" y=\"22\" font-size=\"13\" font-weight=\"bold\">snapshots</text>",
            "<text x=\"584\" y=\"22\" font-size=\"13\" font-weight=\"bold\">models</text>",
        ]
        for edge in graph.edges {
            guard let from = places[edge.from], let to = places[edge.to] else { continue }
            let path: String
            let labelAt: (x: Int, y: Int, anchor: String)
            if from.x == to.x {
                let (x, y1, y2) = (from.x + width, from.y + height / 2, to.y + height / 2)
                path = "M \(x) \(y1) C \(x + 60) \(y1), \(x + 60) \(y2), \(x) \(y2)"
                labelAt = (x + 50, (y1 + y2) / 2 + 4, "start")
            } else {
                let (x1, y1, x2, y2) = (from.x + width, from.y + height / 2, to.x, to.y + height / 2)
                path = "M \(x1) \(y1) C \(x1 + 24) \(y1), \(x2 - 24) \(y2), \(x2) \(y2)"
                labelAt = (x1 + (x2 - x1) / 4, y1 + (y2 - y1) / 4 - 4, "middle")
            }
            parts.append(
                "<g class=\"edge\" data-edge=\"\(escape(edge.from))→\(escape(edge.to))\"><path d=\"\(path)\" fill=\"none\" stroke=\"#80868b\" stroke-width=\"1.5\"/>"
                    // "trained" needs no words between a snapshot and its model; the column titles say it.
                    + (edge.label == "trained"
                        ? ""
                        : "<text x=\"\(labelAt.x)\" y=\"\(labelAt.y)\" font-size=\"10\" fill=\"#3c4043\" text-anchor=\"\(labelAt.anchor)\">\(escape(edge.label))</text>")
                    + "</g>"
            )
        }
        for node in graph.nodes {
            let place = places[node.id]!
            let (fill, stroke) = node.isMarked ? ("#fce8e6", staleColour) : colours[node.kind]!
            var element =
                "<g class=\"node \(node.kind.rawValue)\(node.isMarked ? " marked" : "")\" data-node=\"\(escape(node.id))\">"
                + "<title>\(escape("\(node.label): \(node.detail)"))</title>"
                + "<rect x=\"\(place.x)\" y=\"\(place.y)\" width=\"\(width)\" height=\"\(height)\" rx=\"6\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(node.isMarked ? 3 : 1.5)\"/>"
                + "<text x=\"\(place.x + 10)\" y=\"\(place.y + 22)\">\(escape(truncated(node.label, 31)))</text>"
                + "<text x=\"\(place.x + 10)\" y=\"\(place.y + 42)\" fill=\"\(node.isMarked ? staleColour : "#3c4043")\"\(node.isMarked ? " font-weight=\"bold\"" : "")>\(escape(truncated(node.detail, 31)))</text></g>"
            if let link = node.link { element = "<a href=\"\(escape(link))\">\(element)</a>" }
            parts.append(element)
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    /// The graph in Graphviz DOT (`dot -Tsvg`), left to right, stale nodes in the stale colour.
    public static func dot(_ graph: LineageGraph) -> String {
        var lines = [
            "digraph lineage {", "  rankdir=LR;",
            "  node [shape=box, style=\"rounded,filled\", fontname=\"monospace\"];",
        ]
        for node in graph.nodes {
            let (fill, stroke) = node.isMarked ? ("#fce8e6", staleColour) : colours[node.kind]!
            lines.append(
                "  \(quoted(node.id)) [label=\(quoted("\(node.label)\n\(node.detail)")), fillcolor=\(quoted(fill)), color=\(quoted(stroke))\(node.link.map { ", URL=\(quoted($0))" } ?? "")];"
            )
        }
        for edge in graph.edges {
            lines.append("  \(quoted(edge.from)) -> \(quoted(edge.to)) [label=\(quoted(edge.label))];")
        }
        return (lines + ["}"]).joined(separator: "\n") + "\n"
    }

    /// The graph as an indented tree for a terminal: each model, its snapshot, the snapshot's groups.
    public static func text(_ graph: LineageGraph) -> String {
        let byID = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.id, $0) })
        var lines = ["lineage of \(graph.model)"]
        for model in graph.nodes where model.kind == .model {
            let marker = model.id == "model:\(graph.model)" ? " ◀" : ""
            lines.append("model \(model.id.dropFirst(6)) [\(model.detail)]\(marker)")
            for edge in graph.edges where edge.to == model.id {
                guard let source = byID[edge.from] else { continue }
                if source.kind == .model {
                    lines.append("  reproduces \(source.id.dropFirst(6))")
                    continue
                }
                lines.append("  \(source.label) (\(source.detail))")
                for input in graph.edges where input.to == source.id {
                    guard let group = byID[input.from] else { continue }
                    let revoked = group.detail.split(separator: ",").dropFirst().joined(separator: ",")
                    lines.append(
                        "    \(group.label): \(input.label) samples\(group.isMarked ? " (group:\(revoked))" : "")")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The graph as JSON: `model`, `nodes` (id, kind, label, detail, marked, link) and `edges`.
    public static func json(_ graph: LineageGraph) -> JSONObject {
        JSONObject([
            ("model", .string(graph.model)),
            (
                "nodes",
                .array(
                    graph.nodes.map { node in
                        .object(
                            JSONObject([
                                ("id", .string(node.id)), ("kind", .string(node.kind.rawValue)),
                                ("label", .string(node.label)),
                                ("detail", .string(node.detail)), ("marked", .bool(node.isMarked)),
                                ("link", node.link.map(JSONValue.string) ?? .null),
                            ]))
                    })
            ),
            (
                "edges",
                .array(
                    graph.edges.map {
                        .object(
                            JSONObject([
                                ("from", .string($0.from)), ("to", .string($0.to)), ("label", .string($0.label)),
                            ]))
                    })
            ),
        ])
    }

    static let colours: [LineageGraph.Kind: (String, String)] = [
        .group: ("#f1f3f4", "#5f6368"), .snapshot: ("#e6f4ea", "#188038"), .model: ("#e8f0fe", "#1a73e8"),
    ]

    static func escape(_ text: String) -> String { SummaryDocument.escapeHTML(text) }

    static func truncated(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    static func quoted(_ text: String) -> String {
        "\""
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
