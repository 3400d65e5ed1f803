import StampedeJSON

/// The rare path of the scanner: a string with escapes is handed to the
/// real JSON parser rather than re-implementing `\uXXXX` and surrogates.
enum JSONStringUnescaper {
    static func unescape(_ contents: UnsafeBufferPointer<UInt8>) -> String? {
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        bytes.append(contentsOf: contents)
        bytes.append(UInt8(ascii: "\""))
        return (try? JSONParser.parse(bytes))?.stringValue
    }
}
