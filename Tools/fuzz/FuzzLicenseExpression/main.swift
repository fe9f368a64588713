import AssentRecords

/// libFuzzer entry: any bytes as an SPDX licence expression.
///
/// Beyond not crashing, an accepted expression must round-trip: its canonical rendering parses back to the
/// same expression and renders to the same text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLicenseExpression(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard let expression = try? LicenseExpressionParser.parse(text) else { return 0 }
    let canonical = expression.canonical
    guard let again = try? LicenseExpressionParser.parse(canonical) else {
        fatalError("canonical form \(canonical) of \(text) does not parse")
    }
    precondition(again == expression, "canonical form \(canonical) parses to another expression")
    precondition(again.canonical == canonical, "canonical rendering is not stable for \(canonical)")
    return 0
}
