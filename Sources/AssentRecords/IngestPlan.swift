/// What phase 1 of an ingest has seen, in compact form, to catch conflicts inside one manifest.
struct IngestPlan {
    /// A SHA-256 digest as a hashable value type (no heap allocation per key).
    struct DigestKey: Hashable {
        let words: (UInt64, UInt64, UInt64, UInt64)

        init(_ bytes: [UInt8]) {
            func word(_ offset: Int) -> UInt64 { bytes[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) } }
            words = (word(0), word(8), word(16), word(24))
        }

        static func == (lhs: DigestKey, rhs: DigestKey) -> Bool { lhs.words == rhs.words }

        func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
        }
    }

    struct SourceKey: Hashable {
        let digest: DigestKey
        let source: Int32
    }

    struct Seen {
        let line: Int32
        let metadata: UInt64
        let subject: Int32
        let consent: Int32
    }

    private var firstSeen: [DigestKey: (seen: Seen, source: Int32)] = [:]
    private var otherSources: [SourceKey: Seen] = [:]
    private var names: [String: Int32] = [:]

    private mutating func intern(_ name: String?) -> Int32 {
        guard let name else { return -1 }
        if let id = names[name] { return id }
        let id = Int32(names.count)
        names[name] = id
        return id
    }

    /// Records a validated sample, refusing one that contradicts an earlier line of the same manifest.
    mutating func admit(_ sample: ValidatedSample, subject: SubjectRef) throws {
        let key = DigestKey(sample.digest)
        let subjectName: String? =
            switch subject {
            case .none: nil
            case .known(let pseudonym): "p:" + pseudonym
            case .new(let real): "r:" + real
            }
        let seen = Seen(
            line: Int32(sample.line), metadata: sample.metadataDigest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) },
            subject: intern(subjectName), consent: intern(sample.consent.map { "c:" + $0 }))
        let source = intern("s:" + sample.source)
        guard let first = firstSeen[key] else {
            firstSeen[key] = (seen, source)
            return
        }
        guard first.seen.subject == seen.subject, first.seen.consent == seen.consent else {
            throw RecordsError(
                .conflict,
                "line \(sample.line): the same content as line \(first.seen.line) with a different subject or consent")
        }
        let earlier = first.source == source ? first.seen : otherSources[SourceKey(digest: key, source: source)]
        guard let earlier else {
            otherSources[SourceKey(digest: key, source: source)] = seen
            return
        }
        guard earlier.metadata == seen.metadata else {
            throw RecordsError(
                .conflict,
                "line \(sample.line): the same content from source \"\(sample.source)\" as line \(earlier.line), with different metadata"
            )
        }
    }
}
