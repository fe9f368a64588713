import AssentExplorer
import Foundation
import Testing

/// `assent lineage` and the lineage drawing shared with the explorer's model page.
@Suite struct LineageTests {
    static let a: String = String(repeating: "a", count: 64)
    static let b: String = String(repeating: "b", count: 64)

    /// A fixed graph: two groups, one with revoked samples, two snapshots, a stale model and its successor.
    static let fixed: LineageGraph = LineageGraph(
        model: "sha256:\(a)",
        nodes: [
            .init(
                id: "group:web|CC-BY-4.0", kind: .group, label: "web · CC-BY-4.0", detail: "40 samples, 3 revoked",
                isMarked: true, link: nil),
            .init(
                id: "group:<b>|MIT", kind: .group, label: "<b> · MIT", detail: "10 samples", isMarked: false, link: nil),
            .init(
                id: "snapshot:snap-7", kind: .snapshot, label: "snapshot snap-7",
                detail: "50 samples, default-ai-training", isMarked: false, link: "/v1/snapshots/snap-7"),
            .init(
                id: "snapshot:snap-9", kind: .snapshot, label: "snapshot snap-9",
                detail: "47 samples, default-ai-training", isMarked: false, link: "/v1/snapshots/snap-9"),
            .init(
                id: "model:sha256:\(a)", kind: .model, label: "model sha256:aaaaaaaaaaaa", detail: "STALE, logistic",
                isMarked: true, link: "/models/sha256:\(a)"),
            .init(
                id: "model:sha256:\(b)", kind: .model, label: "model sha256:bbbbbbbbbbbb", detail: "current, logistic",
                isMarked: false, link: "/models/sha256:\(b)"),
        ],
        edges: [
            .init(from: "group:web|CC-BY-4.0", to: "snapshot:snap-7", label: "40"),
            .init(from: "group:<b>|MIT", to: "snapshot:snap-7", label: "10"),
            .init(from: "group:web|CC-BY-4.0", to: "snapshot:snap-9", label: "37"),
            .init(from: "group:<b>|MIT", to: "snapshot:snap-9", label: "10"),
            .init(from: "snapshot:snap-7", to: "model:sha256:\(a)", label: "trained"),
            .init(from: "snapshot:snap-9", to: "model:sha256:\(b)", label: "trained"),
            .init(
                from: "model:sha256:\(a)", to: "model:sha256:\(b)",
                label: "reproduced as"),
        ])

    static func golden(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/lineage/\(name)")
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func theDrawingsOfAFixedGraphMatchTheirGoldenFiles() throws {
        #expect(LineageRenderer.svg(Self.fixed) == (try Self.golden("fixed.svg")))
        #expect(LineageRenderer.dot(Self.fixed) == (try Self.golden("fixed.dot")))
        #expect(LineageRenderer.text(Self.fixed) == (try Self.golden("fixed.txt")))
        let svg = LineageRenderer.svg(Self.fixed)
        #expect(svg.contains("<title id=\"lineage-title\">") && svg.contains("&lt;b&gt; · MIT") && !svg.contains("<b>"))
        #expect(svg.components(separatedBy: "data-node=").count - 1 == 6)
        #expect(
            svg.contains("STALE, logistic") && svg.contains(LineageRenderer.staleColour), "stale in words and in colour"
        )
    }

    @Test func theCommandDrawsARealLedgersModelInEveryFormat() throws {
        let (cli, model, _) = try ExportTests.prepared()
        defer { cli.cleanUp() }
        let revoked = try cli.run("revoke", "--subject", "ann@example.org", "--reproduce")
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let text = try cli.run("lineage", model)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("lineage of \(model)\nmodel \(model) [STALE, naive-bayes] ◀\n"))
        #expect(text.stdout.contains("reproduces \(model)"), "the successor is drawn")
        let svg = try cli.run("lineage", model, "--format", "svg", "--out", "l.svg", "--json")
        #expect(svg.status == 0 && svg.stdout.contains("l.svg"))
        let drawn = try String(contentsOfFile: cli.path("l.svg"), encoding: .utf8)
        #expect(drawn.hasPrefix("<svg") && drawn.contains("data-node=\"model:\(model)\""))
        #expect(drawn.contains("revoked"), "the groups that lost samples say so")
        #expect(try cli.run("lineage", model, "--format", "dot").stdout.hasPrefix("digraph lineage {"))
        let bad = try cli.run("lineage", model, "--format", "png")
        #expect(bad.status != 0 && bad.stderr.contains("svg, dot or text"))
        #expect(try cli.run("lineage", "sha256:" + String(repeating: "0", count: 64)).status == 1)
    }
}
