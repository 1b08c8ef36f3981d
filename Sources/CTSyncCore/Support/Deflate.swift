import CTZlib
import Foundation

/// zlib compression of stored record bodies.
public enum Deflate {
    public struct Failure: Error, LocalizedError {
        public var code: Int32
        public var operation: String
        public var errorDescription: String? { "zlib \(operation) failed (code \(code))" }
    }

    /// zlib-wrapped deflate at a level that favours speed (records are compressed once per new version).
    public static func compress(_ data: Data, level: Int32 = 6) throws -> Data {
        var destLength = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(destLength))
        let rc = data.withUnsafeBytes { src in
            compress2(&out, &destLength, src.bindMemory(to: Bytef.self).baseAddress, uLong(data.count), level)
        }
        guard rc == Z_OK else { throw Failure(code: rc, operation: "compress") }
        return Data(out[0..<Int(destLength)])
    }

    /// Inflates `data`, whose uncompressed size is known from the store.
    public static func decompress(_ data: Data, originalSize: Int) throws -> Data {
        var destLength = uLong(max(originalSize, 1))
        var out = [UInt8](repeating: 0, count: Int(destLength))
        let rc = data.withUnsafeBytes { src in
            uncompress(&out, &destLength, src.bindMemory(to: Bytef.self).baseAddress, uLong(data.count))
        }
        guard rc == Z_OK else { throw Failure(code: rc, operation: "uncompress") }
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
