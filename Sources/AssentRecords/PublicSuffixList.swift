internal import Foundation

/// The Public Suffix List (publicsuffix.org), read from Debian's `publicsuffix` package, to find a
/// host's registrable domain (eTLD+1): `news.bbc.co.uk` → `bbc.co.uk`.
public struct PublicSuffixList: Sendable {
    /// Where Debian installs the list; `ASSENT_PUBLIC_SUFFIX_LIST` names another copy.
    public static let defaultPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    private let rules: Set<String>
    private let wildcards: Set<String>
    private let exceptions: Set<String>

    /// Parses the list's text: one rule per line, `//` comments, `*.` wildcards and `!` exceptions.
    public init(text: String) {
        var rules: Set<String> = []
        var wildcards: Set<String> = []
        var exceptions: Set<String> = []
        for line in text.split(whereSeparator: \.isNewline) {
            let rule = line.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
            if rule.isEmpty || rule.hasPrefix("//") { continue }
            if rule.hasPrefix("!") {
                exceptions.insert(String(rule.dropFirst()).lowercased())
            } else if rule.hasPrefix("*.") {
                wildcards.insert(String(rule.dropFirst(2)).lowercased())
            } else {
                rules.insert(rule.lowercased())
            }
        }
        (self.rules, self.wildcards, self.exceptions) = (rules, wildcards, exceptions)
    }

    /// The installed list, read once; nil when it is not installed.
    public static let installed: PublicSuffixList? = {
        let path = ProcessInfo.processInfo.environment["ASSENT_PUBLIC_SUFFIX_LIST"] ?? defaultPath
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { return nil }
        return PublicSuffixList(text: text)
    }()

    /// The registrable domain of `host` (lower-cased, without a trailing dot), or nil when the host is
    /// itself a public suffix, an IP address or empty.
    public func registrableDomain(of host: String) -> String? {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty, !name.hasPrefix("["), !name.contains(":"),
            !name.split(separator: ".").allSatisfy({ $0.allSatisfy(\.isNumber) })
        else { return nil }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !labels.contains(where: \.isEmpty) else { return nil }
        // The longest matching rule wins; an exception rule wins over everything and means its parent.
        var suffixLabels = 1
        for count in stride(from: labels.count, through: 1, by: -1) {
            let candidate = labels.suffix(count).joined(separator: ".")
            if exceptions.contains(candidate) {
                suffixLabels = count - 1
                break
            }
            let parent = labels.suffix(count - 1).joined(separator: ".")
            if rules.contains(candidate) || (count > 1 && wildcards.contains(parent)) {
                suffixLabels = max(suffixLabels, count)
                break
            }
        }
        guard labels.count > suffixLabels else { return nil }
        return labels.suffix(suffixLabels + 1).joined(separator: ".")
    }

    /// The registrable domain of a URI's host (`https://news.example.co.uk/a` → `example.co.uk`).
    public func registrableDomain(ofURI uri: String) -> String? {
        guard let host = URLComponents(string: uri)?.host, !host.isEmpty else { return nil }
        return registrableDomain(of: host)
    }
}
