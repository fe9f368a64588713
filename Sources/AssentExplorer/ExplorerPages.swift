public import AssentEngine
public import AssentLog

/// The explorer's read-only pages, rendered from the same JSON their `/v1/explorer` twins serve.
public enum ExplorerPages {
    typealias H = HTMLPage

    /// `/`: the log, its checkpoint against the witness quorum, counts, and a chart over time.
    public static func overview(_ data: JSONObject) -> String {
        let checkpoint = data["checkpoint"]?.objectValue ?? JSONObject()
        let counts = data["counts"]?.objectValue ?? JSONObject()
        func number(_ object: JSONObject, _ key: String) -> String { String(object[key]?.integerValue ?? 0) }
        let quorum = checkpoint["quorum"]?.integerValue ?? 0
        let meets = checkpoint["meets_quorum"]?.boolValue == true
        let witnessText =
            quorum == 0
            ? "no witness policy (quorum 0)"
            : "\(number(checkpoint, "cosignatures")) of the \(quorum) cosignatures the witness policy needs"
        var body = H.facts([
            ("Origin", H.escape(counts["origin"]?.stringValue ?? "")),
            ("Log size", number(data, "log_size") + " entries"),
            (
                "Latest checkpoint",
                "size \(number(checkpoint, "size")); " + H.escape(witnessText)
                    + (meets ? " <span class=\"ok\">quorum met</span>" : " <span class=\"fail\">quorum not met</span>")
            ),
        ])
        body +=
            "<details><summary>Checkpoint note</summary><pre>\(H.escape(checkpoint["note"]?.stringValue ?? ""))</pre></details>"
        body += "<h2>Counts</h2>"
        body += H.table(
            ["samples", "consents", "revocations", "snapshots", "models", "stale models"],
            [
                ["samples", "consents", "revocations", "snapshots", "models"].map { number(counts, $0) }
                    + [
                        number(counts, "stale_models")
                            + (counts["stale_models"]?.integerValue ?? 0 > 0 ? " " + H.staleBadge : "")
                    ]
            ])
        for (key, caption) in [
            ("samples_by_source", "Samples by source"), ("samples_by_license_class", "Samples by licence class"),
        ] {
            let members = data[key]?.objectValue?.members ?? []
            body +=
                "<h2>\(caption)</h2>"
                + H.table(["", "samples"], members.map { [H.escape($0.key), String($0.value.integerValue ?? 0)] })
        }
        body += "<h2>Samples ingested and revoked per day</h2>" + timelineChart(data["timeline"]?.arrayValue ?? [])
        return H.render(title: "Ledger overview", body: body)
    }

    /// An SVG bar chart of samples ingested and revoked per day, with a table of the same figures.
    static func timelineChart(_ days: [JSONValue]) -> String {
        let rows = days.compactMap(\.objectValue).map {
            (
                $0["day"]?.stringValue ?? "", Int($0["ingested"]?.integerValue ?? 0),
                Int($0["revoked"]?.integerValue ?? 0)
            )
        }
        guard !rows.isEmpty else { return "<p>Nothing ingested yet.</p>" }
        let peak = max(1, rows.map { max($0.1, $0.2) }.max() ?? 1)
        let barWidth = 18
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(rows.count * (2 * barWidth + 12) + 20)\" height=\"150\" viewBox=\"0 0 \(rows.count * (2 * barWidth + 12) + 20) 150\" role=\"img\" aria-labelledby=\"timeline-title\">"
            + "<title id=\"timeline-title\">Samples ingested (grey) and revoked (\(LineageRenderer.staleColour)) per day</title>"
        for (offset, row) in rows.enumerated() {
            let x = 10 + offset * (2 * barWidth + 12)
            let ingested = row.1 * 110 / peak
            let revoked = row.2 * 110 / peak
            svg +=
                "<rect x=\"\(x)\" y=\"\(120 - ingested)\" width=\"\(barWidth)\" height=\"\(ingested)\" fill=\"#5f6368\"><title>\(row.0): \(row.1) ingested</title></rect>"
            svg +=
                "<rect x=\"\(x + barWidth)\" y=\"\(120 - revoked)\" width=\"\(barWidth)\" height=\"\(revoked)\" fill=\"\(LineageRenderer.staleColour)\"><title>\(row.0): \(row.2) revoked</title></rect>"
            svg += "<text x=\"\(x)\" y=\"140\" font-size=\"9\">\(H.escape(String(row.0.dropFirst(5))))</text>"
        }
        return svg + "</svg>"
            + H.table(["day", "ingested", "revoked"], rows.map { [H.escape($0.0), String($0.1), String($0.2)] })
    }

    /// `/log?page=N`: a page of entries, newest first, each with its permalink.
    public static func log(_ data: JSONObject) -> String {
        let page = Int(data["page"]?.integerValue ?? 1)
        let pages = Int(data["pages"]?.integerValue ?? 1)
        let rows = (data["entries"]?.arrayValue ?? []).compactMap(\.objectValue).map { entry -> [String] in
            let index = String(entry["index"]?.integerValue ?? 0)
            return [
                H.link("/log/\(index)", index), H.escape(entry["type"]?.stringValue ?? ""),
                entry["at"]?.stringValue.map(H.time) ?? "",
                "<code>\(H.escape(entry["leaf_hash"]?.stringValue ?? ""))</code>",
            ]
        }
        var navigation = "<p class=\"pages\">Page \(page) of \(pages). "
        if page > 1 { navigation += H.link("/log?page=\(page - 1)", "← newer") }
        if page < pages { navigation += H.link("/log?page=\(page + 1)", "older →") }
        navigation += "</p>"
        return H.render(
            title: "Log entries",
            body: navigation + H.table(["index", "type", "time (UTC)", "leaf hash"], rows) + navigation)
    }

    /// `/log/{index}`: the decoded entry, its inclusion proof, and what holds it.
    public static func entry(_ data: JSONObject) -> String {
        let index = String(data["index"]?.integerValue ?? 0)
        let inclusion = data["inclusion"]?.objectValue ?? JSONObject()
        let verified = inclusion["verified"]?.boolValue == true
        var body = H.facts([
            ("Type", H.escape(data["type"]?.stringValue ?? "")),
            ("Leaf hash", "<code>\(H.escape(data["leaf_hash"]?.stringValue ?? ""))</code>"),
            (
                "Inclusion proof",
                (verified ? "<span class=\"ok\">✓ verified</span>" : "<span class=\"fail\">✗ failed</span>")
                    + " against the checkpoint of size \(inclusion["checkpoint_size"]?.integerValue ?? 0) · "
                    + H.link("/log/\(index)/proof", "download \(index).tlog-proof")
            ),
        ])
        body +=
            "<h2>Body</h2><pre>\(H.escape(String(decoding: CanonicalJSON.encode(data["body"] ?? .null), as: UTF8.self)))</pre>"
        let snapshots = (data["snapshots"]?.arrayValue ?? []).compactMap(\.stringValue)
        let models = (data["models"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !snapshots.isEmpty || !models.isEmpty {
            body +=
                "<h2>Part of</h2>"
                + H.facts([
                    ("Snapshots", snapshots.map { H.escape($0) }.joined(separator: ", ")),
                    ("Models", models.map { H.link("/models/\($0)", $0) }.joined(separator: "<br>")),
                ])
        }
        return H.render(title: "Entry \(index)", body: body)
    }

    /// `/models` (and `?stale=1`): each model, and for a stale one what made it stale, the shards
    /// that touched, and its successor or "not reproduced yet".
    public static func models(_ models: [ModelRecord], staleOnly: Bool) -> String {
        let rows = models.map { model -> [String] in
            let causes = model.staleCauses.map { cause -> String in
                let kind = cause["kind"]?.stringValue ?? "cause"
                let what = cause["revocation"]?.stringValue ?? cause["consent"]?.stringValue ?? ""
                let shards = (cause["shards"]?.arrayValue ?? []).compactMap(\.integerValue).map(String.init)
                return H.escape(
                    "\(kind) \(what)" + (shards.isEmpty ? "" : ", shards \(shards.joined(separator: ", "))"))
            }
            let status =
                model.isStale
                ? H.staleBadge + " " + causes.joined(separator: "; ")
                    + "<br>"
                    + (model.supersededBy.map { "successor: " + H.link("/models/\($0)", ModelRecord.short($0)) }
                        ?? "not reproduced yet")
                : "<span class=\"ok\">current</span>"
            return [
                H.link("/models/\(model.id)", ModelRecord.short(model.id)), H.escape(model.snapshot),
                H.escape(model.trainer), status,
            ]
        }
        let title = staleOnly ? "Stale models" : "Models"
        let intro =
            staleOnly
            ? "<p>Each model below was trained on data whose consent was later withdrawn or expired. It must not be used; its successor, if there is one, was reproduced without that data.</p>"
            : ""
        return H.render(
            title: title,
            body: intro + (rows.isEmpty ? "<p>None.</p>" : H.table(["model", "snapshot", "trainer", "status"], rows)))
    }

    /// `/models/{id}`: the model's facts, its lineage graph, and its exports.
    public static func model(_ model: ModelRecord, lineage: LineageGraph) -> String {
        var facts: [(String, String)] = [
            ("Model", "<code>\(H.escape(model.id))</code>"),
            (
                "Status",
                model.isStale
                    ? H.staleBadge + " (consent was withdrawn or expired for some of its data)"
                    : "<span class=\"ok\">current</span>"
            ),
            ("Snapshot", H.escape(model.snapshot)), ("Trainer", H.escape(model.trainer)),
            ("Config", "<code>\(H.escape(model.configDigest))</code>"),
        ]
        if let previous = model.supersedes { facts.append(("Reproduces", H.link("/models/\(previous)", previous))) }
        if let next = model.supersededBy { facts.append(("Reproduced as", H.link("/models/\(next)", next))) }
        let exports = ["spdx", "cyclonedx"].map {
            H.link("/models/\(model.id)/export/\($0)", $0 == "spdx" ? "SPDX 3.0.1 AI BOM" : "CycloneDX 1.6 ML-BOM")
        }
        facts.append(("Exports", exports.joined(separator: " · ")))
        facts.append(("Proof bundle", H.link("/models/\(model.id)/proof", "download the bundle assent verify checks")))
        let body =
            H.facts(facts) + "<h2>Lineage</h2>" + LineageRenderer.svg(lineage)
            + "<h2>Lineage as text</h2><pre>\(H.escape(LineageRenderer.text(lineage)))</pre>"
        return H.render(title: "Model \(ModelRecord.short(model.id))", body: body)
    }

    /// A page saying what was not found (404), or why a request was refused.
    public static func problem(_ title: String, _ message: String) -> String {
        H.render(title: title, body: "<p>\(H.escape(message))</p><p>\(H.link("/", "Back to the overview"))</p>")
    }
}
