import CCrypto
import Foundation

/// SHA-256 (FIPS 180-4) of a byte buffer, for content hashes of records.
///
/// The toolchain on Linux has no CryptoKit; OpenSSL's libcrypto (the library libcurl already uses for TLS) does the
/// work, with the CPU's SHA instructions where it has them: every stored or imported version is hashed, and a
/// portable Swift loop cost 3 % of an import's CPU.
public enum SHA256 {
    public static func hash(_ data: Data) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        data.withUnsafeBytes { bytes in
            digest.withUnsafeMutableBufferPointer { out in
                _ = CCrypto.SHA256(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, out.baseAddress)
            }
        }
        return digest
    }

    /// Lower-case hex of the digest.
    public static func hex(_ data: Data) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in hash(data) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
