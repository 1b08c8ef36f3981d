import CDeflate
import Foundation

/// zlib streams written by the tests: deflated zip entries, and the stored bodies of stores written before zstd.
enum Zlib {
    static func compress(_ data: Data, level: Int32 = 6) -> Data {
        let compressor = libdeflate_alloc_compressor(level)!
        defer { libdeflate_free_compressor(compressor) }
        var out = [UInt8](repeating: 0, count: libdeflate_zlib_compress_bound(compressor, data.count))
        let written = data.withUnsafeBytes { src in
            libdeflate_zlib_compress(compressor, src.baseAddress, src.count, &out, out.count)
        }
        precondition(written > 0, "libdeflate compress")
        return Data(out[0..<written])
    }
}
