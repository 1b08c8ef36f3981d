import CDeflate
import CTZlib
import Foundation

/// zlib compression of stored record bodies.
public enum Deflate {
    public struct Failure: Error, LocalizedError {
        public var code: Int32
        public var operation: String
        public var errorDescription: String? { "\(operation) failed (code \(code))" }
    }

    /// zlib-wrapped deflate at a level that favours speed (records are compressed once per new version).
    ///
    /// libdeflate writes the same zlib format that `decompress` (zlib) reads, about twice as fast as zlib at
    /// level 1 and a little smaller: compressing was 13 % of an import's CPU with zlib.
    public static func compress(_ data: Data, level: Int32 = 6) throws -> Data {
        let compressor = try Compressors.shared.take(level: level)
        defer { Compressors.shared.give(compressor, level: level) }
        let bound = libdeflate_zlib_compress_bound(compressor, data.count)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bound, 1), alignment: 16)
        defer { buffer.deallocate() }
        let written = data.withUnsafeBytes { src in
            libdeflate_zlib_compress(compressor, src.baseAddress, src.count, buffer.baseAddress, buffer.count)
        }
        guard written > 0 else { throw Failure(code: -1, operation: "libdeflate compress") }
        // A copy of the right size: records wait in the import's queues, and a buffer of the bound's size would
        // hold three times the bytes.
        return Data(UnsafeRawBufferPointer(rebasing: buffer[0..<written]))
    }

    /// libdeflate compressors, reused: one is not safe to share between threads, and allocating one per record
    /// costs more than compressing a small record.
    private final class Compressors: @unchecked Sendable {
        static let shared = Compressors()
        private let lock = NSLock()
        private var idle: [Int32: [OpaquePointer]] = [:]

        /// An idle compressor for `level`, or a new one; throws for a level libdeflate does not have (0–12).
        func take(level: Int32) throws -> OpaquePointer {
            if let c = lock.withLock({ idle[level]?.popLast() }) { return c }
            guard let c = libdeflate_alloc_compressor(level) else {
                throw Failure(code: level, operation: "libdeflate compressor allocation")
            }
            return c
        }

        func give(_ c: OpaquePointer, level: Int32) {
            lock.withLock { idle[level, default: []].append(c) }
        }
    }

    /// Inflates `data`, whose uncompressed size is known from the store.
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
    /// zlib's CRC-32 (the zip checksum) of `data`.
    public static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { raw in
            UInt32(CTZlib.crc32(0, raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count)))
        }
    }
}
