public import AssentLog

extension SnapshotInputs {
    /// Recomputes the inputs from the log entries alone (no index tables), to check a snapshot.
    public static func fromLog(_ ledger: Ledger, baseHeight: UInt64, revocationHeight: UInt64) throws -> SnapshotInputs
    {
        var inputs = SnapshotInputs()
        var samples: [[UInt8]: Sample] = [:]
        var consentWithdrawalTargets: [String: String] = [:]
        try ledger.forEachEntry(to: max(baseHeight, revocationHeight)) { seq, type, bytes in
            guard ["sample", "sample.source", "consent.grant", "consent.renew", "revocation"].contains(type) else {
                return
            }
            let entry = try JSONParser.parse(bytes).objectValue ?? JSONObject()
            func text(_ key: String) -> String? { entry[key]?.stringValue }
            func commitment() -> [UInt8]? { text("commitment").flatMap(RevocationRegistry.parseCommitment) }
            switch type {
            case "sample" where seq < baseHeight:
                guard let key = commitment() else { return }
                samples[key] = Sample(
                    commitment: key, subject: text("subject"), consent: text("consent"),
                    sources: [
                        Source(
                            license: text("license_concluded") ?? "",
                            optOut: entry["opt_out"]?.objectValue?["status"]?.stringValue ?? "unknown")
                    ])
            case "sample.source" where seq < baseHeight:
                guard let key = commitment() else { return }
                samples[key]?.sources.append(
                    Source(
                        license: text("license_concluded") ?? "",
                        optOut: entry["opt_out"]?.objectValue?["status"]?.stringValue ?? "unknown"))
            case "consent.grant" where seq < revocationHeight:
                guard let id = text("consent"), let subject = text("subject"), let granted = text("granted_at") else {
                    return
                }
                inputs.consents[id] = Consent(
                    subject: subject, purposes: entry["purposes"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    grantedAt: granted,
                    grantSeq: seq, expiries: [(seq, text("expires_at"))])
            case "consent.renew" where seq < revocationHeight:
                guard let id = text("consent") else { return }
                inputs.consents[id]?.expiries.append((seq, text("expires_at")))
            case "revocation" where seq < revocationHeight:
                guard let effective = text("effective_at") else { return }
                for item in entry["samples"]?.arrayValue ?? [] {
                    if let key = item.stringValue.flatMap(RevocationRegistry.parseCommitment) {
                        inputs.noteRevocation(key, effective: effective)
                    }
                }
                let target = entry["target"]?.objectValue
                var withdrawn = target?["consents"]?.arrayValue?.compactMap(\.stringValue) ?? []
                if let consent = target?["consent"]?.stringValue { withdrawn.append(consent) }
                for consent in withdrawn
                where entry["part"]?.integerValue == 1 && consentWithdrawalTargets[consent] == nil {
                    consentWithdrawalTargets[consent] = effective
                    inputs.noteWithdrawal(consent, effective: effective)
                }
            default: return
            }
        }
        inputs.samples = Array(samples.values)
        inputs.sortByCommitment()
        return inputs
    }
}
