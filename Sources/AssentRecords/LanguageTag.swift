/// BCP 47 language tags (RFC 5646): the well-formedness check and the conventional letter case.
public enum LanguageTag {
    /// `tag` in its conventional case (`en-GB`, `zh-Hant-TW`, `sr-Latn`), or nil when it is not a
    /// well-formed language tag: language (2–3 letters with up to three extlangs, or 4–8 letters),
    /// then optional script (4 letters), region (2 letters or 3 digits), variants, extensions and a
    /// private-use part (`x-…`), or a private-use tag alone.
    public static func canonical(_ tag: String) -> String? {
        guard !tag.isEmpty, tag.count <= 128, tag.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let subtags = tag.split(separator: "-", omittingEmptySubsequences: false).map { $0.lowercased() }
        guard subtags.allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy { $0.isLetter || $0.isNumber } })
        else { return nil }
        var output: [String] = []
        var index = 0
        func alpha(_ text: String) -> Bool { text.allSatisfy(\.isLetter) }
        func digit(_ text: String) -> Bool { text.allSatisfy(\.isNumber) }
        if subtags[0] == "x" { return privateUse(subtags) }
        guard alpha(subtags[0]), subtags[0].count != 1 else { return nil }
        output.append(subtags[0])
        index = 1
        if subtags[0].count <= 3 {
            var extlangs = 0
            while index < subtags.count, subtags[index].count == 3, alpha(subtags[index]), extlangs < 3 {
                output.append(subtags[index])
                index += 1
                extlangs += 1
            }
        }
        if index < subtags.count, subtags[index].count == 4, alpha(subtags[index]) {
            output.append(subtags[index].prefix(1).uppercased() + subtags[index].dropFirst())
            index += 1
        }
        if index < subtags.count,
            (subtags[index].count == 2 && alpha(subtags[index])) || (subtags[index].count == 3 && digit(subtags[index]))
        {
            output.append(subtags[index].uppercased())
            index += 1
        }
        var variants: Set<String> = []
        while index < subtags.count {
            let subtag = subtags[index]
            let isVariant =
                (5...8).contains(subtag.count) || (subtag.count == 4 && subtag.first!.isNumber)
            guard isVariant else { break }
            guard variants.insert(subtag).inserted else { return nil }
            output.append(subtag)
            index += 1
        }
        var singletons: Set<String> = []
        while index < subtags.count, subtags[index].count == 1, subtags[index] != "x" {
            guard singletons.insert(subtags[index]).inserted else { return nil }
            output.append(subtags[index])
            index += 1
            let start = index
            while index < subtags.count, (2...8).contains(subtags[index].count) {
                output.append(subtags[index])
                index += 1
            }
            guard index > start else { return nil }
        }
        if index < subtags.count {
            guard subtags[index] == "x", let rest = privateUse(Array(subtags[index...])) else { return nil }
            output.append(rest)
            index = subtags.count
        }
        return output.joined(separator: "-")
    }

    /// `x-…` with one or more subtags of 1–8 characters.
    private static func privateUse(_ subtags: [String]) -> String? {
        guard subtags.count >= 2, subtags[0] == "x" else { return nil }
        return subtags.joined(separator: "-")
    }
}
