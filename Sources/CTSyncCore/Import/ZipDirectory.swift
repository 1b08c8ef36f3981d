import Foundation

/// Reads the entry count from a zip's end-of-central-directory record (ZIP64 too) without reading the entries,
/// for progress bars and to notice a directory that lists more entries than can be read.
enum ZipDirectory {
    /// The number of entries the archive declares, or nil when the record is not found.
    static func entryCount(path: String) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 22 else { return nil }
        let tailLength = min(size, 22 + 65_535 + 20)
        guard (try? handle.seek(toOffset: size - tailLength)) != nil,
              let tail = try? handle.read(upToCount: Int(tailLength)), tail.count == Int(tailLength) else { return nil }
        let bytes = [UInt8](tail)
        var i = bytes.count - 22
        while i >= 0 {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 0x05, bytes[i + 3] == 0x06 { break }
            i -= 1
        }
        guard i >= 0 else { return nil }
        let count = Int(bytes[i + 10]) | Int(bytes[i + 11]) << 8
        if count != 0xFFFF { return count }
        // ZIP64: the locator sits just before the record and points at the ZIP64 end record.
        let l = i - 20
        guard l >= 0, bytes[l] == 0x50, bytes[l + 1] == 0x4B, bytes[l + 2] == 0x06, bytes[l + 3] == 0x07 else { return nil }
        let offset = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[l + 8 + $1]) << (8 * UInt64($1)) }
        guard (try? handle.seek(toOffset: offset)) != nil, let record = try? handle.read(upToCount: 56), record.count == 56 else {
            return nil
        }
        let r = [UInt8](record)
        guard r[0] == 0x50, r[1] == 0x4B, r[2] == 0x06, r[3] == 0x06 else { return nil }
        return Int((0..<8).reduce(UInt64(0)) { $0 | UInt64(r[32 + $1]) << (8 * UInt64($1)) })
    }
}
