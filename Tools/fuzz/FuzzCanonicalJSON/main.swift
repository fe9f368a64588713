import AssentLog
import FuzzSupport

/// libFuzzer entry: any bytes through the strict JSON parser and the canonical encoder.
///
/// An accepted document's canonical bytes must parse back to an equal value whose canonical bytes are
/// the same (encoding is a fixed point), and must themselves be valid UTF-8.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCanonicalJSON(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let value = try? JSONParser.parse(fuzzInput(start, count)) else { return 0 }
    let canonical = CanonicalJSON.encode(value)
    precondition(String(validating: canonical, as: UTF8.self) != nil, "canonical bytes are not UTF-8")
    let again: JSONValue
    do { again = try JSONParser.parse(canonical) } catch {
        fatalError("canonical bytes do not parse: \(error): \(String(decoding: canonical, as: UTF8.self))")
    }
    precondition(again == value, "canonical bytes parse to another value")
    precondition(CanonicalJSON.encode(again) == canonical, "canonical encoding is not a fixed point")
    return 0
}
