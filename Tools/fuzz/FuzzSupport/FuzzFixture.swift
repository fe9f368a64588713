public import Foundation

/// The seed corpora and the fixture beside the fuzz targets (`Tools/fuzz`), written by `make-seeds.sh`.
///
/// The fixture holds the public keys the seed proofs are signed with, the entries they prove, the model
/// the seed bundle describes, and the time the proofs were made.
public enum FuzzFixture {
    /// `Tools/fuzz` of the checkout the fuzzer was built from.
    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    /// The bytes of `fixture/<relative>`; stops the fuzzer with a clear message when it is missing.
    public static func bytes(_ relative: String) -> [UInt8] {
        let url = folder.appendingPathComponent("fixture/" + relative)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            fatalError("fuzz fixture \(url.path) is missing; run Tools/fuzz/make-seeds.sh")
        }
        return [UInt8](data)
    }

    /// `fixture/<relative>` as text without surrounding white space.
    public static func text(_ relative: String) -> String {
        String(decoding: bytes(relative), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The URL of `fixture/<relative>`.
    public static func url(_ relative: String) -> URL { folder.appendingPathComponent("fixture/" + relative) }

    /// Every file of `seeds/<corpus>`, by name.
    public static func seeds(_ corpus: String) -> [String: [UInt8]] {
        let base = folder.appendingPathComponent("seeds/" + corpus)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        var result: [String: [UInt8]] = [:]
        for name in names {
            if let data = FileManager.default.contents(atPath: base.appendingPathComponent(name).path) {
                result[name] = [UInt8](data)
            }
        }
        return result
    }

    /// The fixture's entries: log index → exact entry bytes.
    public static var entries: [UInt64: [UInt8]] {
        let base = url("entries")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        var result: [UInt64: [UInt8]] = [:]
        for name in names where name.hasSuffix(".entry") {
            if let seq = UInt64(name.dropLast(6)) { result[seq] = bytes("entries/" + name) }
        }
        return result
    }
}

/// The fuzzer's input as bytes.
public func fuzzInput(_ start: UnsafeRawPointer, _ count: Int) -> [UInt8] {
    Array(UnsafeRawBufferPointer(start: start, count: count))
}
