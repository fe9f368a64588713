/// Hugging Face Hub licence tags (card metadata `license:`), which are not SPDX, mapped to SPDX.
///
/// Tags that match an SPDX identifier case-insensitively map to it (`apache-2.0` → `Apache-2.0`);
/// licences the SPDX list lacks map to `LicenseRef-` ids; family tags, `unknown` and `other` map to
/// `NOASSERTION`, since they name no single licence.
public enum HuggingFaceLicenses {
    /// Tags that need an explicit mapping.
    static let table: [String: String] = [
        "openrail": "LicenseRef-openrail",
        "openrail++": "LicenseRef-openrail-plus-plus",
        "bigscience-openrail-m": "LicenseRef-bigscience-openrail-m",
        "creativeml-openrail-m": "LicenseRef-creativeml-openrail-m",
        "bigscience-bloom-rail-1.0": "LicenseRef-bigscience-bloom-rail-1.0",
        "bigcode-openrail-m": "LicenseRef-bigcode-openrail-m",
        "llama2": "LicenseRef-llama2", "llama3": "LicenseRef-llama3", "llama3.1": "LicenseRef-llama3.1",
        "llama3.2": "LicenseRef-llama3.2", "llama3.3": "LicenseRef-llama3.3", "llama4": "LicenseRef-llama4",
        "gemma": "LicenseRef-gemma", "deepfloyd-if-license": "LicenseRef-deepfloyd-if-license",
        "apple-amlr": "LicenseRef-apple-amlr", "apple-ascl": "LicenseRef-apple-ascl",
        "intel-research": "LicenseRef-intel-research", "lgpl-lr": "LicenseRef-lgpl-lr",
        "cc-by-nc-sa-3.0-igo": "LicenseRef-cc-by-nc-sa-3.0-igo",
        "c-uda": "C-UDA-1.0", "pddl": "PDDL-1.0", "odc-by": "ODC-By-1.0", "odbl": "ODbL-1.0",
        "agpl-3.0": "AGPL-3.0-only", "gpl-3.0": "GPL-3.0-only", "gpl-2.0": "GPL-2.0-only",
        "lgpl-3.0": "LGPL-3.0-only", "lgpl-2.1": "LGPL-2.1-only", "gfdl": "NOASSERTION",
        "bsd": "NOASSERTION", "cc": "NOASSERTION", "gpl": "NOASSERTION", "lgpl": "NOASSERTION",
        "unknown": "NOASSERTION", "other": "NOASSERTION",
    ]

    /// The SPDX expression for a Hub tag, or nil for a tag that is neither mapped nor an SPDX id.
    public static func spdxExpression(forTag tag: String) -> String? {
        let key = tag.lowercased()
        if let mapped = table[key] { return mapped }
        return SPDXLicenseList.license(key)?.id
    }
}
