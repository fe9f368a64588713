internal import AssentExports
internal import Foundation

/// The explorer's page frame: navigation, one stylesheet inline (no external assets, so pages work
/// offline), readable from phone width to 1280 px, every value escaped. The only script sets each
/// time's hover text to the reader's local time; pages work without it.
public enum HTMLPage {
    /// A whole page titled `title` around `body` (already HTML).
    public static func render(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · Assent explorer</title>
        <style>\(style)</style></head>
        <body><a class="skip" href="#main">Skip to content</a>
        <header><nav aria-label="Explorer"><a href="/">Overview</a><a href="/log">Log</a><a href="/models">Models</a><a href="/models?stale=1">Stale models</a><a href="/verify">Verify a proof</a><a href="/subject">Your data</a></nav></header>
        <main id="main"><h1>\(escape(title))</h1>
        \(body)
        </main>
        <script>document.querySelectorAll('time[datetime]').forEach(function(t){t.title='Local time: '+new Date(t.dateTime).toString();});</script>
        </body></html>

        """
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` as character references.
    public static func escape(_ text: String) -> String { SummaryDocument.escapeHTML(text) }

    /// A UTC time, with the reader's local time on hover.
    public static func time(_ utc: String) -> String {
        "<time datetime=\"\(escape(utc))\">\(escape(utc.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")))</time>"
    }

    /// A table with a header row; cells are HTML (escape values first).
    public static func table(_ headers: [String], _ rows: [[String]], caption: String? = nil) -> String {
        var html = "<div class=\"scroll\"><table>"
        if let caption { html += "<caption>\(escape(caption))</caption>" }
        html += "<thead><tr>" + headers.map { "<th scope=\"col\">\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows { html += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>" }
        return html + "</tbody></table></div>"
    }

    /// A definition list of label → HTML value.
    public static func facts(_ pairs: [(String, String)]) -> String {
        "<dl>" + pairs.map { "<dt>\(escape($0.0))</dt><dd>\($0.1)</dd>" }.joined() + "</dl>"
    }

    /// The stale marker, in words and in the stale colour.
    public static let staleBadge = "<span class=\"stale\">STALE</span>"

    /// A link with an escaped label.
    public static func link(_ href: String, _ label: String) -> String {
        "<a href=\"\(escape(href))\">\(escape(label))</a>"
    }

    static let style = """
        body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:0;color:#202124;line-height:1.45}
        header{background:#202124;padding:.5rem 1rem}nav a{color:#fff;margin-right:1rem;display:inline-block;padding:.25rem 0}
        main{max-width:1200px;margin:0 auto;padding:1rem}h1{font-size:1.4rem;overflow-wrap:anywhere}
        a:focus,button:focus,input:focus,textarea:focus{outline:3px solid #1a73e8;outline-offset:2px}
        .skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}
        th,td{border-bottom:1px solid #dadce0;padding:.35rem .5rem;text-align:left;vertical-align:top}
        td code,dd code{overflow-wrap:anywhere}code,pre{font-family:"DejaVu Sans Mono",monospace;font-size:.85rem}
        pre{background:#f8f9fa;padding:.75rem;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dd{margin:0;overflow-wrap:anywhere}
        .stale{color:#fff;background:\(LineageRenderer.staleColour);padding:0 .35rem;border-radius:3px;font-weight:bold}
        .ok{color:#188038;font-weight:bold}.fail{color:\(LineageRenderer.staleColour);font-weight:bold}
        svg{max-width:100%;height:auto}.pages a{margin-right:.75rem}
        form{margin:1rem 0}label{display:block;margin:.5rem 0 .25rem}textarea,input[type=text],input[type=password]{width:100%;max-width:40rem}
        button{padding:.4rem .9rem;font-size:1rem}
        @media (max-width:600px){dl{grid-template-columns:1fr}nav a{margin-right:.6rem}}
        """
}
