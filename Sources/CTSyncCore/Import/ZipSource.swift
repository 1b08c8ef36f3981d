import Foundation

/// A zip archive: the registry's bulk `ctg-studies.json.zip` (`NN/NCTxxxxxxxx.json`), the legacy
/// `AllPublicXML.zip` (`AllPublicXML/NCT0000xxxx/NCT00000102.xml`), or any zip of such files.
///
/// Entries are read one by one into memory, never unzipped to disk: the central directory is streamed, and each
/// entry's local header and compressed bytes are read in one `pread` and inflated in one call (libdeflate) into a
/// buffer of exactly the size the directory declares. Before an entry is read its path is checked (an absolute path
/// or a `..` component is refused: nothing is written anywhere anyway, but such an archive is hostile and says so)
/// and its uncompressed size is checked against the limit; data longer than declared stops it. CRC-32s are checked
/// by the workers.
public struct ZipSource: ImportSource {
    public let path: String
    public var name: String { path }

    public init(path: String) {
        self.path = path
    }

    public func estimatedEntries() -> Int? {
        ZipDirectory.entryCount(path: path)
    }

    public func forEach(limits: ImportLimits, _ body: (ImportItem) -> Bool) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ImportError.unreadableArchive(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw ImportError.unreadableArchive(path: path, reason: String(cString: strerror(errno)))
        }
        let fileSize = UInt64(st.st_size)
        guard let end = ZipDirectory.end(fd: fd, fileSize: fileSize) else {
            throw ImportError.unreadableArchive(path: path, reason: "no end-of-central-directory record")
        }
        var reader = ZipDirectory.Reader(fd: fd, fileSize: fileSize, end: end)
        let entryReader = try EntryReader(fd: fd, fileSize: fileSize)
        var seen = 0
        while let record = reader.next() {
            seen += 1
            let entryName = "\(path):\(record.path)"
            if !body(entryReader.read(record, name: entryName, limits: limits)) { return }
        }
        if seen < end.entries {
            throw ImportError.unreadableArchive(
                path: path, reason: "its directory lists \(end.entries) entries but only \(seen) could be read")
        }
    }

    /// Reads entries' data for one `forEach`: one buffer for the compressed bytes, reused and grown to the largest
    /// entry read (at most the size limit plus deflate's overhead), so the reader holds one entry at a time.
    private final class EntryReader {
        let fd: Int32
        let fileSize: UInt64
        let inflater: Deflate.RawInflater
        var buffer: UnsafeMutableRawBufferPointer

        init(fd: Int32, fileSize: UInt64) throws {
            self.fd = fd
            self.fileSize = fileSize
            self.inflater = try Deflate.RawInflater()
            self.buffer = .allocate(byteCount: 256 << 10, alignment: 16)
        }

        deinit { buffer.deallocate() }

        private func reserve(_ n: Int) {
            guard buffer.count < n else { return }
            buffer.deallocate()
            buffer = .allocate(byteCount: max(n, buffer.count * 2), alignment: 16)
        }

        func read(_ record: ZipDirectory.Record, name: String, limits: ImportLimits) -> ImportItem {
            if let problem = ZipSource.unsafePath(record.path) {
                return .refused(name: name, reason: "refused: \(problem); nothing was extracted or written")
            }
            switch record.kind {
            case .directory: return .skipped(name: name)
            case .symlink: return .refused(name: name, reason: "refused: a symbolic link, not a study")
            case .file: break
            }
            if ZipSource.isContentsList(record.path) { return .skipped(name: name) }
            let size = record.uncompressedSize
            if record.zip64Problem {
                return .refused(name: name, reason: "cannot be read from the zip: its directory record points at ZIP64 sizes it does not hold (a corrupt archive); not read")
            }
            if size > UInt64(limits.maxEntryBytes) {
                return .refused(name: name, reason: "\(ImportLimits.describe(Int(clamping: size))) uncompressed, over the \(limits.maxEntryDescription) limit per entry (--max-entry-mib); not read")
            }
            if record.isEncrypted {
                return .refused(name: name, reason: "refused: an encrypted entry; not read")
            }
            let stored: Bool
            switch record.method {
            case 0: stored = true
            case 8: stored = false
            default:
                return .refused(name: name, reason: "compressed with \(ZipSource.methodName(record.method)), which ctsync does not read (only stored and deflated entries); not read")
            }
            let compressed = record.compressedSize
            if stored, compressed > size {
                return .refused(name: name, reason: "more data than the \(size) bytes its directory declares (a corrupt or hostile entry); not read")
            }
            // Deflate adds at most 5 bytes per 64 KiB stored block; anything far beyond that is not a deflate
            // stream of the declared size, and reading it whole would let a hostile entry take any amount of memory.
            if !stored, compressed > size + size / 8 + 1024 {
                return .refused(name: name, reason: "\(compressed) compressed bytes for the \(size) its directory declares: more data than a deflate stream of that size holds (a corrupt or hostile entry); not read")
            }

            // The local header (30 bytes, then name and extra field, whose lengths may differ from the directory's)
            // and the data, in one read: the guess uses the directory's lengths plus some slack.
            let guess = 30 + record.nameLength + record.extraLength + 64
            let wanted = guess + Int(compressed)
            reserve(wanted)
            let start = record.localHeaderOffset
            guard start < fileSize else {
                return .refused(name: name, reason: "its local header is past the end of the archive: the entry is cut short (a truncated or corrupt zip)")
            }
            var got = ZipDirectory.readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]), at: start)
            guard got >= 30, buffer.load(as: UInt32.self).littleEndian == 0x0403_4B50 else {
                return .refused(name: name, reason: got < 30
                    ? "its local header is cut short (a truncated or corrupt zip)"
                    : "no local header where the directory says the entry starts (a corrupt archive); not read")
            }
            let headerLength = 30 + Int(le16(26)) + Int(le16(28))
            var dataStart = headerLength
            if headerLength + Int(compressed) > got, got == wanted {
                // A longer local extra field than guessed: read the data alone.
                reserve(Int(compressed))
                got = ZipDirectory.readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(compressed)]),
                                             at: start + UInt64(headerLength))
                dataStart = 0
            } else {
                got = max(0, got - headerLength)
            }
            if got < Int(compressed) {
                return .refused(name: name, reason: "the archive ends \(got) bytes into its \(compressed) bytes of data: the entry is cut short")
            }
            let data = UnsafeRawBufferPointer(rebasing: buffer[dataStart..<(dataStart + Int(compressed))])
            if stored {
                if compressed < size {
                    return .refused(name: name, reason: "\(compressed) bytes read of the \(size) its directory declares: the entry is cut short")
                }
                return .entry(ImportEntry(name: name, bytes: Data(data), expectedCRC: record.crc32))
            }
            switch inflater.inflate(data, size: Int(size)) {
            case .complete(let bytes):
                return .entry(ImportEntry(name: name, bytes: bytes, expectedCRC: record.crc32))
            case .short(let n):
                return .refused(name: name, reason: "\(n) bytes read of the \(size) its directory declares: the entry is cut short")
            case .overflow:
                return .refused(name: name, reason: "more data than the \(size) bytes its directory declares (a corrupt or hostile entry); not read")
            case .corrupt:
                return .refused(name: name, reason: "cannot be read from the zip: corrupt compressed data")
            }
        }

        private func le16(_ i: Int) -> UInt16 {
            UInt16(buffer[i]) | UInt16(buffer[i + 1]) << 8
        }
    }

    /// The compression methods a zip may name, for the message refusing them.
    static func methodName(_ method: UInt16) -> String {
        switch method {
        case 1: return "method 1 (shrink)"
        case 6: return "method 6 (implode)"
        case 9: return "method 9 (deflate64)"
        case 12: return "method 12 (bzip2)"
        case 14: return "method 14 (LZMA)"
        case 93: return "method 93 (zstd)"
        case 95: return "method 95 (xz)"
        case 99: return "method 99 (AES encryption)"
        default: return "method \(method)"
        }
    }

    /// Whether the path's last component is `Contents.txt` (any case), the legacy zips' list of studies.
    static func isContentsList(_ path: String) -> Bool {
        var last = path.utf8[...]
        while last.last == UInt8(ascii: "/") { last = last.dropLast() }
        if let slash = last.lastIndex(of: UInt8(ascii: "/")) { last = last[last.index(after: slash)...] }
        return last.count == 12 && zip(last, "contents.txt".utf8).allSatisfy { a, b in
            a == b || (a >= UInt8(ascii: "A") && a <= UInt8(ascii: "Z") && a + 32 == b)
        }
    }

    /// Why an entry path is unsafe to use as a file name: absolute, with a drive letter, or with a `..` part.
    static func unsafePath(_ path: String) -> String? {
        // Plain ASCII, every bulk archive's case, is checked on bytes; the same tests as below, a good deal cheaper
        // for 600,000 entries.
        let checked = path.utf8.withContiguousStorageIfAvailable { b in
            b.contains { $0 >= 0x80 } ? (ascii: false, problem: nil) : (ascii: true, problem: unsafeASCIIPath(b))
        }
        if let checked, checked.ascii { return checked.problem }
        return unsafeUnicodePath(path)
    }

    private static func unsafeASCIIPath(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        let slash = UInt8(ascii: "/"), backslash = UInt8(ascii: "\\"), dot = UInt8(ascii: ".")
        guard let first = b.first else { return nil }
        if first == slash || first == backslash { return "an absolute entry path" }
        if b.count >= 2, b[1] == UInt8(ascii: ":"), (first | 0x20) >= UInt8(ascii: "a"), (first | 0x20) <= UInt8(ascii: "z") {
            return "an entry path with a drive letter"
        }
        if b.contains(0) { return "an entry path with a NUL byte" }
        var partStart = 0
        for i in 0...b.count {
            if i == b.count || b[i] == slash || b[i] == backslash {
                if i - partStart == 2, b[partStart] == dot, b[partStart + 1] == dot {
                    return "an entry path with '..' (it would point outside the extraction directory)"
                }
                partStart = i + 1
            }
        }
        return nil
    }

    static func unsafeUnicodePath(_ path: String) -> String? {
        if path.hasPrefix("/") || path.hasPrefix("\\") { return "an absolute entry path" }
        if path.count >= 2, path.dropFirst().first == ":", path.first!.isLetter { return "an entry path with a drive letter" }
        if path.contains("\0") { return "an entry path with a NUL byte" }
        let parts = path.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        if parts.contains("..") { return "an entry path with '..' (it would point outside the extraction directory)" }
        return nil
    }
}
