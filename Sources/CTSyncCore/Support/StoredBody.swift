import CZstd
import Foundation

/// The compressed form of a stored version's canonical JSON (`versions.raw`).
///
/// New bodies are zstd frames at level 1 with their content size and a checksum. On canonical study JSON that
/// compresses ~1.4 times as fast as libdeflate at level 1 and decompresses ~1.5 times as fast, for bodies 1.5–5 %
/// larger (compressing was ~18 % of an import worker's CPU; a 10 k import used ~6 % less CPU). Bodies
/// that stores written before hold are zlib streams; the two are told apart by their first bytes (a zstd frame
/// starts with the magic number 28 B5 2F FD, a zlib stream with 0x78), so old stores read on without a migration.
public enum StoredBody {
    public struct Failure: Error, LocalizedError {
        public var operation: String
        public var reason: String
        public var errorDescription: String? { "\(operation) failed: \(reason)" }
    }

    /// zstd's level for stored versions: 1, the fastest of the regular levels. Level 3 (zstd's default) stores
    /// ~12 % less and compresses ~10 % slower, which matters when an import stores 600,000 studies.
    public static let level: Int32 = 1

    /// Compresses a canonical JSON body for `versions.raw`.
    public static func compress(_ data: Data) throws -> Data {
        let context = try compressors.take()
        defer { compressors.give(context) }
        let bound = ZSTD_compressBound(data.count)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bound, 1), alignment: 16)
        defer { buffer.deallocate() }
        let written = data.withUnsafeBytes { src in
            ZSTD_compress2(context, buffer.baseAddress, buffer.count, src.baseAddress, src.count)
        }
        try check(written, "zstd compress")
        // A copy of the right size: records wait in the import's queues, and a buffer of the bound's size would
        // hold several times the bytes.
        return Data(UnsafeRawBufferPointer(rebasing: buffer[0..<written]))
    }

    /// The body `data` decompressed; `originalSize` is its stored size (`versions.raw_size`), which it must have.
    public static func decompress(_ data: Data, originalSize: Int) throws -> Data {
        guard isZstd(data) else { return try Deflate.decompress(data, originalSize: originalSize) }
        let context = try decompressors.take()
        defer { decompressors.give(context) }
        var out = Data(count: originalSize)
        let written = out.withUnsafeMutableBytes { dst in
            data.withUnsafeBytes { src in
                ZSTD_decompressDCtx(context, dst.baseAddress, dst.count, src.baseAddress, src.count)
            }
        }
        try check(written, "zstd decompress")
        guard written == originalSize else {
            throw Failure(operation: "zstd decompress", reason: "\(written) bytes where \(originalSize) were stored")
        }
        return out
    }

    /// True when `data` starts with zstd's frame magic number.
    static func isZstd(_ data: Data) -> Bool {
        data.count >= 4 && data.prefix(4).elementsEqual([0x28, 0xB5, 0x2F, 0xFD])
    }

    private static func check(_ code: Int, _ operation: String) throws {
        if ZSTD_isError(code) != 0 {
            throw Failure(operation: operation, reason: String(cString: ZSTD_getErrorName(code)))
        }
    }

    // MARK: - Contexts

    /// zstd contexts, reused: one is not safe to share between threads, and making one per record costs more than
    /// compressing a small record.
    private final class Pool: @unchecked Sendable {
        private let lock = NSLock()
        private var idle: [OpaquePointer] = []
        private let make: () throws -> OpaquePointer

        init(make: @escaping () throws -> OpaquePointer) { self.make = make }

        func take() throws -> OpaquePointer {
            if let c = lock.withLock({ idle.popLast() }) { return c }
            return try make()
        }

        func give(_ c: OpaquePointer) { lock.withLock { idle.append(c) } }
    }

    private static let compressors = Pool {
        guard let c = ZSTD_createCCtx() else {
            throw Failure(operation: "zstd", reason: "cannot allocate a compression context")
        }
        try check(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level), "zstd level")
        try check(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1), "zstd checksum")
        return c
    }

    private static let decompressors = Pool {
        guard let d = ZSTD_createDCtx() else {
            throw Failure(operation: "zstd", reason: "cannot allocate a decompression context")
        }
        return d
    }
}
