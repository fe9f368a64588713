import ArgumentParser
import AssentLog
import Foundation

extension LogCommand {
    /// `assent log export-tiles`.
    struct ExportTiles: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-tiles",
            abstract: "Write the log as C2SP tlog-tiles, static files any web server can serve.",
            discussion: """
                Writes DIR/checkpoint, DIR/tile/<L>/<N>[.p/<W>] (hashes) and DIR/tile/entries/<N>[.p/<W>] \
                (entry bundles) as c2sp.org/tlog-tiles lays them out, for the latest checkpoint. Each file is \
                written to a temporary name and renamed; the checkpoint comes last, so a reader never sees one \
                whose tiles are missing. Run it again after new writes: it adds only what is new. Serve DIR \
                under the log's URL prefix; full tiles and bundles never change and may be cached forever, \
                the checkpoint for a few seconds.

                Example: assent log export-tiles public/log && python3 -m http.server -d public
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The folder to write (created if missing).", valueName: "dir"))
        var folder: String

        func run() throws {
            try reportingErrors {
                let ledger = try global.openLedger()
                let progress = global.makeProgress()
                let report = try ledger.exportTiles(to: URL(fileURLWithPath: folder)) { done, total in
                    progress.update("writing tiles", done: done, total: total)
                }
                progress.finish()
                if global.json {
                    Console.json(
                        JSONObject([
                            ("size", .integer(Int64(report.size))), ("written", .integer(Int64(report.written))),
                            ("kept", .integer(Int64(report.kept))), ("folder", .string(folder)),
                        ]))
                } else {
                    Console.line(
                        "exported the log at size \(report.size) to \(folder): \(report.written) tiles written, \(report.kept) already there"
                    )
                }
            }
        }
    }
}
