internal import AssentLog

/// What ingest can tell, before any snapshot, about whether the standard policy will admit a sample.
struct AdmissionForecast {
    /// Samples tied to their subject's one current consent.
    var tied = 0
    /// Reason → how many samples no snapshot under the standard policy will admit.
    var reasons: [String: Int] = [:]
    /// The first few such lines, with their reason.
    var firstLines: [(line: Int, reason: String)] = []
    /// How many lines `firstLines` keeps.
    static let keptLines = 5

    /// Samples that will not be admitted.
    var notAdmitted: Int { reasons.values.reduce(0, +) }

    mutating func exclude(line: Int, reason: String) {
        reasons[reason, default: 0] += 1
        if firstLines.count < Self.keptLines { firstLines.append((line, reason)) }
    }

    /// The forecast as JSON, for `ingest --json`.
    var json: JSONObject {
        JSONObject([
            ("tied_to_consent", .integer(Int64(tied))), ("count", .integer(Int64(notAdmitted))),
            (
                "reasons",
                .object(JSONObject(reasons.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) }))
            ),
            (
                "first_lines",
                .array(
                    firstLines.map {
                        .object(JSONObject([("line", .integer(Int64($0.line))), ("reason", .string($0.reason))]))
                    })
            ),
        ])
    }
}

extension Ingestor {
    /// Ties a personal sample without a consent to its subject's one consent that is current for the
    /// standard policy's purpose, and forecasts what the standard policy will refuse (licence, opt-out,
    /// personal data without a consent), so that nothing is accepted only to be left out of every snapshot.
    /// - Returns: the consent tied, if one was.
    func forecast(_ sample: ValidatedSample, now: String, into forecast: inout AdmissionForecast) throws -> String? {
        let policy = Policy.standard
        var tied: String? = nil
        if let subject = sample.subject, sample.consent == nil {
            let current = try currentConsents(ofSubject: subject, purpose: policy.purpose, now: now)
            if current.count == 1 {
                tied = current[0]
                forecast.tied += 1
            } else {
                forecast.exclude(
                    line: sample.line,
                    reason: current.isEmpty
                        ? "personal data without a consent (the subject has no current \(policy.purpose) consent)"
                        : "personal data without a consent (the subject has \(current.count) current consents; name one per line)"
                )
                return nil
            }
        }
        if !isElectable(sample.licenseConcluded, under: policy) {
            forecast.exclude(
                line: sample.line, reason: "licence \(sample.licenseConcluded) is not allowed by the standard policy")
        } else if sample.optOut["status"]?.stringValue == "reserved" && policy.optOutReserved == "exclude" {
            forecast.exclude(line: sample.line, reason: "opt-out reserved (TDM/AI reservation)")
        }
        return tied
    }

    /// Whether `policy` can elect a licence from the (valid) expression `license`, remembered per text.
    private func isElectable(_ license: String, under policy: Policy) -> Bool {
        if let known = electableLicenses[license] { return known }
        let electable = (try? LicenseExpressionParser.parse(license)).map { policy.elect($0) != nil } ?? true
        if electableLicenses.count < 10_000 { electableLicenses[license] = electable }
        return electable
    }

    /// The ids of the subject's consents that cover `purpose`, are not withdrawn and have not expired.
    private func currentConsents(ofSubject subject: String, purpose: String, now: String) throws -> [String] {
        if let cached = currentConsentCache[subject] { return cached }
        guard try lookups.pseudonym(ofSubject: subject, store: store) != nil else { return [] }  // no consents yet
        let revocations = RevocationRegistry(store: store)
        var current: [String] = []
        for consent in try ConsentRegistry(store: store).list(subject: subject)
        where consent.purposes.contains(purpose) && (consent.expiresAt.map { $0 > now } ?? true) {
            if try !revocations.isWithdrawn(consent: consent.id) { current.append(consent.id) }
        }
        currentConsentCache[subject] = current
        return current
    }
}
