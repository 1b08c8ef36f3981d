import CDeflate
import CTZlib
import Foundation

/// Deflate: the zlib streams that stored bodies were before zstd (`StoredBody` reads them through here), and the
/// CRC-32 and raw inflate of zip entries.
public enum Deflate {
    public struct Failure: Error, LocalizedError {
        public var code: Int32
        public var operation: String
        public var errorDescription: String? { "\(operation) failed (code \(code))" }
    }

    /// Inflates the zlib stream `data`, whose uncompressed size is known from the store.
    public static func decompress(_ data: Data, originalSize: Int) throws -> Data {
        var destLength = uLong(max(originalSize, 1))
        var out = [UInt8](repeating: 0, count: Int(destLength))
        let rc = data.withUnsafeBytes { src in
            uncompress(&out, &destLength, src.bindMemory(to: Bytef.self).baseAddress, uLong(data.count))
        }
        guard rc == Z_OK else { throw Failure(code: rc, operation: "zlib uncompress") }
        return Data(out[0..<Int(destLength)])
    }
}

extension Deflate {
    /// The CRC-32 (the zip checksum) of `data`: libdeflate's, the same value as zlib's `crc32` and 2–3× faster.
    public static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { raw in
            libdeflate_crc32(0, raw.baseAddress, raw.count)
        }
    }

    /// What inflating a raw deflate stream into a buffer of its declared size gave.
    enum RawInflateResult {
        /// Exactly the declared size.
        case complete(Data)
        /// The stream ended after this many bytes, fewer than declared.
        case short(Int)
        /// The stream holds more than the declared size.
        case overflow
        /// Not a valid deflate stream (corrupt, or cut off before its last block).
        case corrupt
    }

    /// Inflates raw deflate streams (zip entries, method 8) in one call each, into a buffer of exactly the declared
    /// size: libdeflate, 2–3× faster than zlib's chunked `inflate`. One inflater is not safe to share between threads.
    final class RawInflater {
        private let decompressor: OpaquePointer

        init() throws {
            guard let d = libdeflate_alloc_decompressor() else {
                throw Failure(code: -1, operation: "libdeflate decompressor allocation")
            }
            decompressor = d
        }

        deinit { libdeflate_free_decompressor(decompressor) }

        /// Inflates `source` (bytes after the stream's end are ignored), which should give exactly `size` bytes.
        func inflate(_ source: UnsafeRawBufferPointer, size: Int) -> RawInflateResult {
            guard size > 0 else {
                // An empty entry is still a stream (one empty final block); check it is one.
                var none: UInt8 = 0
                var actual = 0
                let rc = libdeflate_deflate_decompress(decompressor, source.baseAddress, source.count, &none, 0, &actual)
                switch rc {
                case LIBDEFLATE_SUCCESS: return .complete(Data())
                case LIBDEFLATE_INSUFFICIENT_SPACE: return .overflow
                default: return .corrupt
                }
            }
            guard let out = malloc(size) else { fatalError("out of memory inflating \(size) bytes") }
            var actual = 0
            let rc = libdeflate_deflate_decompress(decompressor, source.baseAddress, source.count, out, size, &actual)
            switch rc {
            case LIBDEFLATE_SUCCESS where actual == size:
                return .complete(Data(bytesNoCopy: out, count: size, deallocator: .free))
            case LIBDEFLATE_SUCCESS:
                free(out)
                return .short(actual)
            case LIBDEFLATE_INSUFFICIENT_SPACE:
                free(out)
                return .overflow
            default:
                free(out)
                return .corrupt
            }
        }
    }
}
