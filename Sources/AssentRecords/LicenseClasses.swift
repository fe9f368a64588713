/// Use classes of licences, after the Data Provenance Initiative: what a licence allows a model
/// trained on the data to be used for. They nest: commercial ⊂ unspecified ⊂ non-commercial ⊂ academic-only.
public enum LicenseClasses {
    /// The classes, least restrictive first.
    public static let all = ["commercial", "unspecified", "non-commercial", "academic-only"]

    /// Explicit entries; families are matched by prefix in ``builtInClass(of:)``.
    static let table: [String: String] = [
        "MIT": "commercial", "Apache-2.0": "commercial", "BSD-2-Clause": "commercial", "BSD-3-Clause": "commercial",
        "ISC": "commercial", "0BSD": "commercial", "Zlib": "commercial", "Unlicense": "commercial",
        "BSL-1.0": "commercial",
        "MPL-2.0": "commercial", "EPL-2.0": "commercial", "Artistic-2.0": "commercial", "Python-2.0": "commercial",
        "WTFPL": "commercial", "CC0-1.0": "commercial", "CC-PDDC": "commercial", "CC-PDM-1.0": "commercial",
        "PDDL-1.0": "commercial", "ODC-By-1.0": "commercial", "ODbL-1.0": "commercial",
        "CDLA-Permissive-1.0": "commercial",
        "CDLA-Permissive-2.0": "commercial", "CDLA-Sharing-1.0": "commercial", "O-UDA-1.0": "commercial",
        "C-UDA-1.0": "commercial", "OpenMDW-1.0": "commercial", "OFL-1.1": "commercial",
        "Unicode-DFS-2016": "commercial",
        "LicenseRef-openrail": "commercial", "LicenseRef-bigscience-openrail-m": "commercial",
        "LicenseRef-creativeml-openrail-m": "commercial", "LicenseRef-bigcode-openrail-m": "commercial",
        "LicenseRef-bigscience-bloom-rail-1.0": "commercial", "LicenseRef-llama2": "commercial",
        "LicenseRef-llama3": "commercial", "LicenseRef-gemma": "commercial",
        "LicenseRef-openai-terms": "non-commercial",
        "LicenseRef-academic-research-only": "academic-only",
    ]

    /// The class the built-in table gives `id` (a canonical SPDX id or a `LicenseRef-`), or nil.
    public static func builtInClass(of id: String) -> String? {
        if let known = table[id] { return known }
        if id.hasPrefix("CC-BY-NC") { return "non-commercial" }
        if id.hasPrefix("CC-BY") { return "commercial" }
        for family in ["GPL-", "LGPL-", "AGPL-", "GFDL-"] where id.hasPrefix(family) { return "commercial" }
        return nil
    }
}
