@testable import AssentRecords
import Foundation
import Testing

// Examples from the SPDX specification, Annex B ("SPDX license expressions"), and its rules on
// precedence, case and NONE/NOASSERTION, as summarised in shared/reference/consent-and-licenses.md §1.1.
@Suite struct LicenseExpressionTests {
    static let canonicalForms: [(input: String, canonical: String)] = [
        ("MIT", "MIT"),
        ("mit", "MIT"),
        ("apache-2.0", "Apache-2.0"),
        ("LGPL-2.1-only OR MIT", "LGPL-2.1-only OR MIT"),
        ("LGPL-2.1-only OR BSD-3-Clause AND MIT", "LGPL-2.1-only OR BSD-3-Clause AND MIT"),
        ("(LGPL-2.1-only OR BSD-3-Clause) AND MIT", "(LGPL-2.1-only OR BSD-3-Clause) AND MIT"),
        ("MIT AND (LGPL-2.1-or-later OR BSD-3-Clause)", "MIT AND (LGPL-2.1-or-later OR BSD-3-Clause)"),
        ("GPL-2.0-or-later WITH Bison-exception-2.2", "GPL-2.0-or-later WITH Bison-exception-2.2"),
        ("gpl-2.0-or-later with bison-exception-2.2", "GPL-2.0-or-later WITH Bison-exception-2.2"),
        ("GPL-2.0+", "GPL-2.0+"),
        ("LicenseRef-23", "LicenseRef-23"),
        ("LicenseRef-MIT-Style-1", "LicenseRef-MIT-Style-1"),
        ("DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2"),
        ("GPL-3.0-only WITH AdditionRef-my-exception", "GPL-3.0-only WITH AdditionRef-my-exception"),
        ("NONE", "NONE"),
        ("NOASSERTION AND MIT", "NOASSERTION AND MIT"),
        ("((MIT))", "MIT"),
        ("MIT AND (Apache-2.0 AND ISC)", "MIT AND Apache-2.0 AND ISC"),
        ("CC-BY-4.0   OR   cc0-1.0", "CC-BY-4.0 OR CC0-1.0"),
    ]

    @Test(arguments: canonicalForms) func canonicalForm(vector: (input: String, canonical: String)) throws {
        let expression = try LicenseExpressionParser.parse(vector.input)
        #expect(expression.canonical == vector.canonical)
        #expect(
            try LicenseExpressionParser.parse(expression.canonical) == expression,
            "the canonical form parses to the same tree")
    }

    @Test func precedenceIsPlusThenWithThenAndThenOr() throws {
        let expression = try LicenseExpressionParser.parse("LGPL-2.1-only OR BSD-3-Clause AND MIT")
        #expect(
            expression
                == .or([
                    .license("LGPL-2.1-only", orLater: false),
                    .and([.license("BSD-3-Clause", orLater: false), .license("MIT", orLater: false)]),
                ]))
        let with = try LicenseExpressionParser.parse("MIT AND GPL-2.0+ WITH Classpath-exception-2.0")
        #expect(
            with
                == .and([
                    .license("MIT", orLater: false),
                    .with(.license("GPL-2.0", orLater: true), addition: "Classpath-exception-2.0"),
                ]))
        #expect(expression.branches.map(\.canonical) == ["LGPL-2.1-only", "BSD-3-Clause AND MIT"])
    }

    static let errors: [(input: String, token: String, column: Int)] = [
        ("", "", 1),
        ("MIT And Apache-2.0", "And", 5),
        ("MIT Or Apache-2.0", "Or", 5),
        ("Foo-1.0", "Foo-1.0", 1),
        ("MIT AND", "AND", 5),
        ("MIT OR (Apache-2.0", "(", 8),
        ("MIT)", ")", 4),
        ("MIT Apache-2.0", "Apache-2.0", 5),
        ("licenseref-x", "licenseref-x", 1),
        ("MIT WITH Apache-2.0", "Apache-2.0", 10),
        ("MIT WITH Nope-exception", "Nope-exception", 10),
        ("Classpath-exception-2.0", "Classpath-exception-2.0", 1),
        ("NONE OR MIT", "NONE", 1),
        ("MIT OR NOASSERTION", "NOASSERTION", 8),
        ("(MIT OR ISC) WITH Classpath-exception-2.0", "WITH", 14),
        ("MIT + ISC", "+", 5),
        ("M!T", "M!T", 1),
        ("LicenseRef-", "LicenseRef-", 1),
    ]

    @Test(arguments: errors) func errorsNameTheTokenAndColumn(vector: (input: String, token: String, column: Int)) {
        do {
            let parsed = try LicenseExpressionParser.parse(vector.input)
            Issue.record("accepted \(vector.input) as \(parsed.canonical)")
        } catch {
            #expect(error.token == vector.token, "\(error)")
            #expect(error.column == vector.column, "\(error)")
        }
    }

    @Test func unknownIdsSuggestCloseMatches() throws {
        let error = try #require(throws: LicenseExpressionError.self) {
            try LicenseExpressionParser.parse("Apache2.0")
        }
        #expect(error.description.contains("did you mean Apache-2.0"), "\(error)")
    }

    // Found by the FuzzLicenseExpression target: 100,000 nested parentheses exhausted the stack.
    @Test func deepNestingIsRefusedNotACrash() throws {
        let limit = LicenseExpressionParser.maximumNesting
        let deepest = String(repeating: "(", count: limit) + "MIT" + String(repeating: ")", count: limit)
        #expect(try LicenseExpressionParser.parse(deepest).canonical == "MIT")
        let tooDeep = String(repeating: "(", count: 100_000) + "MIT" + String(repeating: ")", count: 100_000)
        let error = try #require(throws: LicenseExpressionError.self) { try LicenseExpressionParser.parse(tooDeep) }
        #expect(error.column == limit + 1)
        #expect(error.reason == "parentheses nested deeper than \(limit) levels")
    }

    @Test func aHugeUnknownIdentifierIsReportedShortened() throws {
        let huge = String(repeating: "x", count: 1_000_000)
        let error = try #require(throws: LicenseExpressionError.self) { try LicenseExpressionParser.parse(huge) }
        #expect(error.description.count < 200)
        #expect(error.description.contains(String(repeating: "x", count: 64) + "…"))
    }

    @Test func deprecatedIdentifiersAreFlaggedAndReplaced() throws {
        let expression = try LicenseExpressionParser.parse("GPL-2.0 OR GPL-2.0+ OR wxWindows OR MIT")
        #expect(expression.deprecatedIdentifiers == ["GPL-2.0", "GPL-2.0+", "wxWindows"])
        #expect(expression.replacingDeprecated.canonical == "GPL-2.0-only OR GPL-2.0-or-later OR wxWindows OR MIT")
    }

    @Test func theListIsVersion329WithItsCounts() {
        #expect(SPDXLicenseList.version == "3.29.0")
        let entries = SPDXLicenseList.entries
        #expect(entries.filter { !$0.isException }.count == 740)
        #expect(entries.filter(\.isException).count == 86)
        #expect(SPDXLicenseList.license("openmdw-1.0")?.id == "OpenMDW-1.0")
    }

    @Test func huggingFaceTagsMapToSPDX() {
        #expect(HuggingFaceLicenses.spdxExpression(forTag: "apache-2.0") == "Apache-2.0")
        #expect(HuggingFaceLicenses.spdxExpression(forTag: "cc-by-nc-4.0") == "CC-BY-NC-4.0")
        #expect(
            HuggingFaceLicenses.spdxExpression(forTag: "bigscience-openrail-m") == "LicenseRef-bigscience-openrail-m")
        #expect(HuggingFaceLicenses.spdxExpression(forTag: "llama2") == "LicenseRef-llama2")
        #expect(HuggingFaceLicenses.spdxExpression(forTag: "unknown") == "NOASSERTION")
        #expect(HuggingFaceLicenses.spdxExpression(forTag: "bsd") == "NOASSERTION")
        #expect(HuggingFaceLicenses.spdxExpression(forTag: "not-a-tag") == nil)
        for tag in ["openrail", "gemma", "c-uda", "odbl", "gpl-3.0"] {
            let mapped = HuggingFaceLicenses.spdxExpression(forTag: tag)!
            #expect(throws: Never.self) { try LicenseExpressionParser.parse(mapped) }
        }
    }

    // The compiled list and Schemas/spdx-licenses-3.29.json come from the same generator run.
    @Test func compiledListMatchesTheSchemaFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("Schemas/spdx-licenses-3.29.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["licenseListVersion"] as? String == SPDXLicenseList.version)
        let licenses = try #require(document["licenses"] as? [[String: Any]])
        let exceptions = try #require(document["exceptions"] as? [[String: Any]])
        var fromFile: [SPDXLicenseList.Entry] = []
        for item in licenses {
            fromFile.append(
                SPDXLicenseList.Entry(
                    id: item["id"] as! String, isException: false, isDeprecated: item["deprecated"] as! Bool))
        }
        for item in exceptions {
            fromFile.append(
                SPDXLicenseList.Entry(
                    id: item["id"] as! String, isException: true, isDeprecated: item["deprecated"] as! Bool))
        }
        #expect(fromFile.sorted { $0.id < $1.id } == SPDXLicenseList.entries)
    }
}
