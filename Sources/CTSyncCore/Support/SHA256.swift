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
        hex(digest: hash(data))
    }

    /// Lower-case hex of the digest of `data` without the bytes at `skipped`: what `hex` gives for the two parts
    /// joined, without joining them (a content hash leaves out the volatile member of a 15 kB body).
    public static func hex(_ data: Data, skipping skipped: Range<Int>) -> String {
        precondition(skipped.lowerBound >= 0 && skipped.upperBound <= data.count)
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        let context = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(context) }
        let done = data.withUnsafeBytes { bytes -> Bool in
            guard EVP_DigestInit_ex(context, sha256, nil) == 1 else { return false }
            for part in [0..<skipped.lowerBound, skipped.upperBound..<bytes.count] where !part.isEmpty {
                guard EVP_DigestUpdate(context, bytes.baseAddress! + part.lowerBound, part.count) == 1 else { return false }
            }
            return digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, nil) == 1 }
        }
        // libcrypto fails here only without memory: the joined parts then go through the one-shot path.
        guard done else { return hex(data[..<skipped.lowerBound] + data[skipped.upperBound...]) }
        return hex(digest: digest)
    }

    /// SHA-256 fetched once (an implicit fetch looks the algorithm up on every use).
    nonisolated(unsafe) private static let sha256: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    private static func hex(digest: [UInt8]) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
