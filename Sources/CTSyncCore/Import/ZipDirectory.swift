import Foundation

/// A zip's central directory, read straight from the file: the end record (ZIP64 too) and then each entry's
/// directory record in turn, streamed through a small buffer so a directory of 600,000 entries is never held whole.
///
/// Only what an import needs is decoded: path, type, compression method, CRC-32, sizes and where the entry's local
/// header is. Sizes and offsets come from the ZIP64 extra field when the 32-bit ones say so (0xFFFFFFFF).
enum ZipDirectory {
    /// Where the central directory is and how many entries it lists.
    struct End {
        var entries: Int
        var offset: UInt64
        var size: UInt64
    }

    /// One entry as its directory record describes it.
    struct Record {
        enum Kind { case file, directory, symlink }

        var path: String
        /// The lengths of the name and extra field in the directory record (the local header's usually match).
        var nameLength: Int
        var extraLength: Int
        var kind: Kind
        var flags: UInt16
        var method: UInt16
        var crc32: UInt32
        var compressedSize: UInt64
        var uncompressedSize: UInt64
        var localHeaderOffset: UInt64
        /// Set when the record says its sizes or offset are in a ZIP64 field that is missing or too short.
        var zip64Problem: Bool

        var isEncrypted: Bool { flags & 1 != 0 }
    }

    /// The number of entries the archive declares, or nil when the end record is not found.
    static func entryCount(path: String) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return end(fd: fd, fileSize: UInt64(st.st_size))?.entries
    }

    /// The end-of-central-directory record, the last one in the file (a zip comment may follow it), and the ZIP64
    /// end record when a ZIP64 locator sits just before it.
    static func end(fd: Int32, fileSize: UInt64) -> End? {
        guard fileSize >= 22 else { return nil }
        let tailLength = Int(min(fileSize, 22 + 65_535 + 20))
        var tail = [UInt8](repeating: 0, count: tailLength)
        guard readFully(fd, into: &tail, at: fileSize - UInt64(tailLength)) == tailLength else { return nil }
        var i = tail.count - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 0x05, tail[i + 3] == 0x06 { break }
            i -= 1
        }
        guard i >= 0 else { return nil }
        var found = End(entries: Int(le16(tail, i + 10)), offset: UInt64(le32(tail, i + 16)), size: UInt64(le32(tail, i + 12)))
        // ZIP64: the locator sits just before the record and points at the ZIP64 end record, whose values replace
        // the 16- and 32-bit ones (set to 0xFFFF / 0xFFFFFFFF when they do not fit).
        let l = i - 20
        if l >= 0, tail[l] == 0x50, tail[l + 1] == 0x4B, tail[l + 2] == 0x06, tail[l + 3] == 0x07 {
            let offset = le64(tail, l + 8)
            var record = [UInt8](repeating: 0, count: 56)
            guard offset < fileSize, readFully(fd, into: &record, at: offset) == 56,
                  record[0] == 0x50, record[1] == 0x4B, record[2] == 0x06, record[3] == 0x06 else { return nil }
            found = End(entries: Int(clamping: le64(record, 32)), offset: le64(record, 48), size: le64(record, 40))
        }
        return found
    }

    /// Streams the directory records from `end.offset`, `end.entries` of them at most.
    struct Reader {
        private let fd: Int32
        private let fileSize: UInt64
        private var remaining: Int
        /// File offset of `buffer[0]`.
        private var bufferOffset: UInt64
        private var buffer: [UInt8]
        private var start = 0
        private var count = 0

        init(fd: Int32, fileSize: UInt64, end: End) {
            self.fd = fd
            self.fileSize = fileSize
            self.remaining = end.entries
            self.bufferOffset = end.offset
            self.buffer = [UInt8](repeating: 0, count: 256 << 10)
        }

        /// The next record; nil after the last one the end record announced, or when a record cannot be read (the
        /// file ends, or what is there is not a directory record): the caller compares the counts.
        mutating func next() -> Record? {
            guard remaining > 0, ensure(46), le32(buffer, start) == 0x0201_4B50 else { return nil }
            let nameLength = Int(le16(buffer, start + 28))
            let extraLength = Int(le16(buffer, start + 30))
            let commentLength = Int(le16(buffer, start + 32))
            let total = 46 + nameLength + extraLength + commentLength
            guard ensure(total) else { return nil }
            let r = start
            let versionMadeBy = le16(buffer, r + 4)
            let flags = le16(buffer, r + 8)
            var compressed = UInt64(le32(buffer, r + 20))
            var uncompressed = UInt64(le32(buffer, r + 24))
            let external = le32(buffer, r + 38)
            var localOffset = UInt64(le32(buffer, r + 42))
            let path = buffer.withUnsafeBufferPointer { b in
                ZipDirectory.path(UnsafeBufferPointer(rebasing: b[(r + 46)..<(r + 46 + nameLength)]), utf8: flags & (1 << 11) != 0)
            }

            // ZIP64 extended information (0x0001): only the fields whose 32-bit value is 0xFFFFFFFF, in this order.
            var zip64Problem = false
            let needs = (uncompressed == 0xFFFF_FFFF, compressed == 0xFFFF_FFFF, localOffset == 0xFFFF_FFFF)
            if needs.0 || needs.1 || needs.2 {
                zip64Problem = true
                var p = r + 46 + nameLength
                let extraEnd = p + extraLength
                while p + 4 <= extraEnd {
                    let id = le16(buffer, p)
                    let size = Int(le16(buffer, p + 2))
                    guard p + 4 + size <= extraEnd else { break }
                    if id == 0x0001 {
                        var q = p + 4
                        let fieldsEnd = q + size
                        var complete = true
                        func field() -> UInt64? {
                            guard q + 8 <= fieldsEnd else { complete = false; return nil }
                            defer { q += 8 }
                            return le64(buffer, q)
                        }
                        if needs.0 { uncompressed = field() ?? uncompressed }
                        if needs.1 { compressed = field() ?? compressed }
                        if needs.2 { localOffset = field() ?? localOffset }
                        zip64Problem = !complete
                        break
                    }
                    p += 4 + size
                }
            }

            start += total
            count -= total
            remaining -= 1
            return Record(path: path, nameLength: nameLength, extraLength: extraLength, kind: kind(path: path, versionMadeBy: versionMadeBy, external: external),
                          flags: flags, method: le16(buffer, r + 10), crc32: le32(buffer, r + 16),
                          compressedSize: compressed, uncompressedSize: uncompressed, localHeaderOffset: localOffset,
                          zip64Problem: zip64Problem)
        }

        /// Makes `n` bytes available at `start`, reading on from the file; false when the file ends first.
        private mutating func ensure(_ n: Int) -> Bool {
            if count >= n { return true }
            if start > 0 {
                if count > 0 {
                    buffer.withUnsafeMutableBytes { b in
                        _ = memmove(b.baseAddress!, b.baseAddress! + start, count)
                    }
                }
                bufferOffset += UInt64(start)
                start = 0
            }
            if buffer.count < n { buffer += [UInt8](repeating: 0, count: n - buffer.count) }
            while count < n {
                let at = bufferOffset + UInt64(count)
                guard at < fileSize else { return false }
                let got = buffer.withUnsafeMutableBytes { b in
                    pread(fd, b.baseAddress! + count, b.count - count, off_t(at))
                }
                if got < 0, errno == EINTR { continue }
                guard got > 0 else { return false }
                count += got
            }
            return true
        }
    }

    /// The entry's path: UTF-8 when the record's flag says so, code page 437 otherwise (the zip default), as
    /// ZIPFoundation and unzip read it. Plain ASCII, the usual case, reads the same either way.
    static func path(_ bytes: UnsafeBufferPointer<UInt8>, utf8: Bool) -> String {
        if utf8 || !bytes.contains(where: { $0 >= 0x80 }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var s = String.UnicodeScalarView()
        for b in bytes {
            s.append(b < 0x80 ? Unicode.Scalar(b) : Unicode.Scalar(cp437High[Int(b) - 0x80])!)
        }
        return String(s)
    }

    /// File, directory or symbolic link: from the Unix mode in the external attributes when the archive was made on
    /// Unix or macOS, from the MS-DOS directory attribute, or from a trailing `/`.
    private static func kind(path: String, versionMadeBy: UInt16, external: UInt32) -> Record.Kind {
        let system = versionMadeBy >> 8
        if system == 3 || system == 19 {
            switch (external >> 16) & 0o170000 {
            case 0o100000: return .file
            case 0o040000: return .directory
            case 0o120000: return .symlink
            default: break
            }
        } else if system == 0, external & 0x10 != 0 {
            return .directory
        }
        return path.hasSuffix("/") ? .directory : .file
    }

    /// Reads `buffer.count` bytes at `offset` unless the file ends first; returns how many were read.
    static func readFully(_ fd: Int32, into buffer: inout [UInt8], at offset: UInt64) -> Int {
        buffer.withUnsafeMutableBytes { readFully(fd, into: $0, at: offset) }
    }

    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) -> Int {
        var done = 0
        while done < buffer.count {
            let got = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + UInt64(done)))
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { break }
            done += got
        }
        return done
    }

    static func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    static func le64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32 }

    /// Code page 437, bytes 0x80–0xFF.
    private static let cp437High: [UInt32] = [
        0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,
        0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,
        0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
        0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,
        0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
        0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
        0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
        0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248, 0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
    ]
}
