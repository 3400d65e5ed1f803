/// libFuzzer's entry point over the same decoders as the XCTest codec
/// fuzzer (`CodecFeeder`): built by scripts/libfuzzer.sh with
/// `-sanitize=fuzzer` (and address sanitizer) outside SwiftPM, because
/// instrumenting the whole package graph (SwiftNIO included) is not needed
/// for codecs that only import StampedeJSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = CodecFeeder.feed(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
