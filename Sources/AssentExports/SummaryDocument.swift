public import AssentLog

/// A filled-in form: sections of labelled fields, rendered as Markdown, HTML and JSON from the same
/// structure so that the three never disagree.
public struct SummaryDocument: Sendable {
    /// One thing a section shows.
    public enum Item: Sendable {
        /// A sub-heading (1.1 Provider identification).
        case heading(String)
        /// A labelled value.
        case field(label: String, value: String)
        /// A labelled choice: every option, with the selected ones ticked.
        case choice(label: String, options: [String], selected: [String])
        /// A table.
        case table(headers: [String], rows: [[String]])
    }

    /// A numbered section.
    public struct Section: Sendable {
        /// Its number ("1").
        public let number: String
        /// Its title.
        public let title: String
        /// What it shows, in order.
        public var items: [Item]
    }

    /// The document's title.
    public let title: String
    /// Labelled values above the first section.
    public let header: [(label: String, value: String)]
    /// The sections.
    public var sections: [Section]

    /// Markdown (CommonMark with pipe tables); every value is escaped.
    public var markdown: String {
        var lines = ["# \(Self.escapeMarkdown(title))", ""]
        for (label, value) in header { lines += ["**\(label)** \(Self.escapeMarkdown(value))", ""] }
        for section in sections {
            lines += ["## \(section.number). \(Self.escapeMarkdown(section.title))", ""]
            for item in section.items {
                switch item {
                case .heading(let text): lines += ["### \(Self.escapeMarkdown(text))", ""]
                case .field(let label, let value):
                    lines += ["**\(Self.escapeMarkdown(label))** \(Self.escapeMarkdown(value))", ""]
                case .choice(let label, let options, let selected):
                    let boxes = options.map { (selected.contains($0) ? "☒ " : "☐ ") + $0 }.joined(separator: " ")
                    lines += ["**\(Self.escapeMarkdown(label))** \(boxes)", ""]
                case .table(let headers, let rows):
                    lines.append("| " + headers.map(Self.escapeMarkdown).joined(separator: " | ") + " |")
                    lines.append("|" + String(repeating: " --- |", count: headers.count))
                    for row in rows {
                        lines.append("| " + row.map(Self.escapeMarkdown).joined(separator: " | ") + " |")
                    }
                    lines.append("")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A standalone HTML page (no external assets); every value is escaped.
    public var html: String {
        var body = ["<h1>\(Self.escapeHTML(title))</h1>", "<dl class=\"header\">"]
        for (label, value) in header {
            body.append("<dt>\(Self.escapeHTML(label))</dt><dd>\(Self.escapeHTML(value))</dd>")
        }
        body.append("</dl>")
        for section in sections {
            body.append("<section><h2>\(section.number). \(Self.escapeHTML(section.title))</h2>")
            for item in section.items {
                switch item {
                case .heading(let text): body.append("<h3>\(Self.escapeHTML(text))</h3>")
                case .field(let label, let value):
                    body.append(
                        "<p><strong>\(Self.escapeHTML(label))</strong> \(Self.escapeHTML(value).replacingNewlines)</p>")
                case .choice(let label, let options, let selected):
                    let boxes = options.map {
                        "<span class=\"\(selected.contains($0) ? "on" : "off")\">\(selected.contains($0) ? "☒" : "☐") \(Self.escapeHTML($0))</span>"
                    }.joined(separator: " ")
                    body.append("<p><strong>\(Self.escapeHTML(label))</strong> \(boxes)</p>")
                case .table(let headers, let rows):
                    body.append("<table><thead><tr>")
                    body.append(headers.map { "<th scope=\"col\">\(Self.escapeHTML($0))</th>" }.joined())
                    body.append("</tr></thead><tbody>")
                    for row in rows {
                        body.append("<tr>" + row.map { "<td>\(Self.escapeHTML($0))</td>" }.joined() + "</tr>")
                    }
                    body.append("</tbody></table>")
                }
            }
            body.append("</section>")
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escapeHTML(title))</title>
            <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.45}
            table{border-collapse:collapse}th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left}
            .on{font-weight:bold}dt{font-weight:bold}</style></head>
            <body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }

    /// The document as JSON: `title`, `header` (label → value) and `sections`, each item with its `kind`.
    public var json: JSONObject {
        JSONObject([
            ("title", .string(title)),
            (
                "header",
                .array(
                    header.map { .object(JSONObject([("label", .string($0.label)), ("value", .string($0.value))])) })
            ),
            (
                "sections",
                .array(
                    sections.map { section in
                        .object(
                            JSONObject([
                                ("number", .string(section.number)), ("title", .string(section.title)),
                                ("items", .array(section.items.map { .object(Self.json($0)) })),
                            ]))
                    })
            ),
        ])
    }

    private static func json(_ item: Item) -> JSONObject {
        switch item {
        case .heading(let text): JSONObject([("kind", .string("heading")), ("text", .string(text))])
        case .field(let label, let value):
            JSONObject([("kind", .string("field")), ("label", .string(label)), ("value", .string(value))])
        case .choice(let label, let options, let selected):
            JSONObject([
                ("kind", .string("choice")), ("label", .string(label)),
                ("options", .array(options.map(JSONValue.string))),
                ("selected", .array(selected.map(JSONValue.string))),
            ])
        case .table(let headers, let rows):
            JSONObject([
                ("kind", .string("table")), ("headers", .array(headers.map(JSONValue.string))),
                ("rows", .array(rows.map { .array($0.map(JSONValue.string)) })),
            ])
        }
    }

    /// `text` with Markdown's inline special characters backslash-escaped, and the characters
    /// that would open a block (a heading, list, quote or rule) escaped at the start of a line;
    /// line breaks are kept.
    public static func escapeMarkdown(_ text: String) -> String {
        var output = ""
        var atLineStart = true
        for character in text {
            if character == "\n" {
                output += "  \n"
                atLineStart = true
                continue
            }
            if "\\`*_[]<>|~&".contains(character) || (atLineStart && "#+-=".contains(character)) {
                output.append("\\")
            }
            output.append(character)
            atLineStart = false
        }
        return output
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` as character references.
    public static func escapeHTML(_ text: String) -> String {
        var output = ""
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }
}

extension String {
    /// HTML line breaks for newlines (in already-escaped text).
    fileprivate var replacingNewlines: String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "<br>")
    }
}
