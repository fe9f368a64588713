public import AssentLog

extension SnapshotInputs {
    /// Recomputes the inputs from the log entries alone (no index tables), to check a snapshot.
    public static func fromLog(_ ledger: Ledger, baseHeight: UInt64, revocationHeight: UInt64) throws -> SnapshotInputs
    {
        var inputs = SnapshotInputs()
        var positions: [CommitmentKey: Int] = [:]
        var consentWithdrawalTargets: [String: String] = [:]
        try ledger.forEachEntry(to: max(baseHeight, revocationHeight)) { seq, type, bytes in
            guard ["sample", "sample.source", "consent.grant", "consent.renew", "revocation"].contains(type) else {
                return
            }
            let entry = try JSONParser.parse(bytes).objectValue ?? JSONObject()
            func text(_ key: String) -> String? { entry[key]?.stringValue }
            func commitment() -> CommitmentKey? {
                text("commitment").flatMap(RevocationRegistry.parseCommitment).map(CommitmentKey.init)
            }
            func source() -> Source {
                Source(
                    license: inputs.texts.index(of: text("license_concluded") ?? ""),
                    optOut: inputs.texts.index(of: entry["opt_out"]?.objectValue?["status"]?.stringValue ?? "unknown"))
            }
            switch type {
            case "sample" where seq < baseHeight:
                guard let key = commitment() else { return }
                let sample = Sample(
                    commitment: key, subject: text("subject").map { inputs.texts.index(of: $0) } ?? -1,
                    consent: text("consent").map { inputs.texts.index(of: $0) } ?? -1)
                if let position = positions[key] {
                    inputs.samples[position] = sample
                } else {
                    positions[key] = inputs.samples.count
                    inputs.samples.append(sample)
                }
                inputs.append(source(), toSampleAt: positions[key]!)
            case "sample.source" where seq < baseHeight:
                guard let key = commitment(), let position = positions[key] else { return }
                inputs.append(source(), toSampleAt: position)
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
                        inputs.noteRevocation(CommitmentKey(key), effective: effective)
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
        inputs.sortByCommitment()
        return inputs
    }
}
