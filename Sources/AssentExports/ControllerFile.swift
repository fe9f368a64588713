/// The controller file of `assent export gdpr-art30` (`Schemas/gdpr-controller.schema.json`).
public struct ControllerFile: Sendable {
    /// The controller's name.
    public let name: String
    /// Its contact details.
    public let contact: String
    /// The data protection officer's contact, if there is one.
    public let dpo: String?
    /// The controller's representative in the Union (Art. 27), if there is one.
    public let representative: String?
    /// Joint controllers (Art. 26), if any.
    public let jointControllers: [String]
    /// Categories of recipients of the personal data (d).
    public let recipients: [String]
    /// Transfers to third countries or international organisations, with their safeguards (e).
    public let transfers: [String]
    /// Technical and organisational security measures (Art. 32(1)) (g).
    public let securityMeasures: [String]
    /// Categories of data subjects, when the controller names them (c).
    public let dataSubjectCategories: [String]
    /// Categories of personal data, when the controller names them (c).
    public let personalDataCategories: [String]

    /// Parses and checks a controller file.
    /// - Throws: ``ExportError`` listing every missing mandatory field, or naming a wrong one.
    public init(bytes: [UInt8], name fileName: String) throws {
        let file = try ConfigFile(
            bytes: bytes, name: "controller file \(fileName)",
            fields: [
                ("name", .text, true), ("contact", .text, true), ("dpo", .text, false),
                ("representative", .text, false),
                ("joint_controllers", .texts, false), ("recipients", .texts, false), ("transfers", .texts, false),
                ("security_measures", .texts, false), ("data_subject_categories", .texts, false),
                ("personal_data_categories", .texts, false),
            ])
        name = file.text("name")!
        contact = file.text("contact")!
        dpo = file.text("dpo")
        representative = file.text("representative")
        jointControllers = file.texts("joint_controllers")
        recipients = file.texts("recipients")
        transfers = file.texts("transfers")
        securityMeasures = file.texts("security_measures")
        dataSubjectCategories = file.texts("data_subject_categories")
        personalDataCategories = file.texts("personal_data_categories")
    }
}
