import Foundation
import ZIPFoundation

/// A zip archive: the registry's bulk `ctg-studies.json.zip` (`NN/NCTxxxxxxxx.json`), the legacy
/// `AllPublicXML.zip` (`AllPublicXML/NCT0000xxxx/NCT00000102.xml`), or any zip of such files.
///
/// Entries are read one by one as streams into memory, never unzipped to disk. Before an entry is read its path
/// is checked (an absolute path or a `..` component is refused: nothing is written anywhere anyway, but such an
/// archive is hostile and says so) and its uncompressed size is checked against the limit; while it is read, a
/// size larger than the directory declared stops it. CRC-32s are checked by the workers.
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
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw ImportError.unreadableArchive(path: path, reason: ZipSource.describe(error))
        }
        let declared = ZipDirectory.entryCount(path: path)
        var seen = 0
        for entry in archive {
            seen += 1
            let entryName = "\(path):\(entry.path)"
            if !body(ZipSource.read(entry, from: archive, name: entryName, limits: limits)) { return }
        }
        if let declared, seen < declared {
            throw ImportError.unreadableArchive(
                path: path, reason: "its directory lists \(declared) entries but only \(seen) could be read")
        }
    }

    private static func read(_ entry: Entry, from archive: Archive, name: String, limits: ImportLimits) -> ImportItem {
        if let problem = unsafePath(entry.path) {
            return .refused(name: name, reason: "refused: \(problem); nothing was extracted or written")
        }
        switch entry.type {
        case .directory: return .skipped(name: name)
        case .symlink: return .refused(name: name, reason: "refused: a symbolic link, not a study")
        case .file: break
        }
        let last = (entry.path as NSString).lastPathComponent
        if last.lowercased() == "contents.txt" { return .skipped(name: name) }
        let size = entry.uncompressedSize
        if size > UInt64(limits.maxEntryBytes) {
            return .refused(name: name, reason: "\(ImportLimits.describe(Int(clamping: size))) uncompressed, over the \(limits.maxEntryDescription) limit per entry (--max-entry-mib); not read")
        }
        var data = Data()
        data.reserveCapacity(Int(size))
        do {
            _ = try archive.extract(entry, bufferSize: 64 * 1024, skipCRC32: true) { chunk in
                if data.count + chunk.count > Int(size) {
                    throw Oversize()
                }
                data.append(chunk)
            }
        } catch is Oversize {
            return .refused(name: name, reason: "more data than the \(size) bytes its directory declares (a corrupt or hostile entry); not read")
        } catch {
            return .refused(name: name, reason: "cannot be read from the zip: \(describe(error))")
        }
        if data.count != Int(size) {
            return .refused(name: name, reason: "\(data.count) bytes read of the \(size) its directory declares: the entry is cut short")
        }
        return .entry(ImportEntry(name: name, bytes: data, expectedCRC: entry.checksum))
    }

    private struct Oversize: Error {}

    /// Why an entry path is unsafe to use as a file name: absolute, with a drive letter, or with a `..` part.
    static func unsafePath(_ path: String) -> String? {
        if path.hasPrefix("/") || path.hasPrefix("\\") { return "an absolute entry path" }
        if path.count >= 2, path.dropFirst().first == ":", path.first!.isLetter { return "an entry path with a drive letter" }
        if path.contains("\0") { return "an entry path with a NUL byte" }
        let parts = path.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        if parts.contains("..") { return "an entry path with '..' (it would point outside the extraction directory)" }
        return nil
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? Archive.ArchiveError {
            switch e {
            case .missingEndOfCentralDirectoryRecord: return "no end-of-central-directory record"
            case .unreadableArchive: return "unreadable archive"
            default: return "\(e)"
            }
        }
        let text = "\(error)"
        return text == "corruptedData" ? "corrupt compressed data" : text
    }
}
