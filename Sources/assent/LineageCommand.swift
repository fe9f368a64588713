import ArgumentParser
import AssentExplorer
import AssentLog
import AssentOperations
import Foundation

/// `assent lineage`: a model's lineage as a picture.
struct LineageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Draw a model's lineage: sample groups → snapshots → models and their successors.",
        discussion: """
            Samples are grouped by source dataset and licence, with counts; groups with revoked samples \
            and stale models are marked in words and in colour. SVG is what the explorer's model page \
            shows (the same code); DOT is for Graphviz (dot -Tsvg); text is an indented tree.

            Example: assent lineage MODEL --format svg --out lineage.svg
            """)
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The model id.")
    var model: String
    @Option(help: "svg, dot or text.")
    var format = "text"
    @Option(help: ArgumentHelp("Write to this file instead of stdout.", valueName: "file"))
    var out: String?

    func validate() throws {
        guard ["svg", "dot", "text"].contains(format) else {
            throw ValidationError("--format must be svg, dot or text")
        }
    }

    func run() throws {
        try reportingErrors {
            let operations = try Operations(ledger: try global.openLedger())
            let graph = try LineageGraph.build(model: model, engine: operations.engine)
            let rendered =
                switch format {
                case "svg": LineageRenderer.svg(graph)
                case "dot": LineageRenderer.dot(graph)
                default: LineageRenderer.text(graph)
                }
            if let out {
                try Data(rendered.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
                if global.json {
                    Console.json(JSONObject([("files", .array([.string(out)]))]))
                } else {
                    Console.line("wrote \(out)")
                }
            } else {
                FileHandle.standardOutput.write(Data(rendered.utf8))
            }
        }
    }
}
