import Foundation

/// Somewhere studies are imported from: a zip archive, a directory, or one file.
///
/// A source reads its entries one at a time, in its own order, and hands each to `body` as soon as it is read, so
/// memory never holds more than the entries in flight. It never writes anything to disk.
public protocol ImportSource: Sendable {
    /// How the source is named in messages (the path given).
    var name: String { get }

    /// The number of entries, when it can be known cheaply (a zip's central directory says it); for progress.
    func estimatedEntries() -> Int?

    /// Reads every entry in turn. `body` returns false to stop early. Throws `ImportError` when the source as a
    /// whole cannot be read (a truncated zip, a missing path); what was handed to `body` before stays handed.
    func forEach(limits: ImportLimits, _ body: (ImportItem) -> Bool) throws
}

/// Sizes the importer refuses to read, so a hostile or broken input cannot exhaust memory.
public struct ImportLimits: Sendable {
    /// The largest entry (zip entry or file) read, uncompressed: 16 MiB by default, over four times the registry's
    /// largest study (3.6 MB in the 2026 archive). A larger entry is refused before a byte of it is read.
    public var maxEntryBytes: Int = 16 << 20

    public init(maxEntryBytes: Int = 16 << 20) {
        self.maxEntryBytes = maxEntryBytes
    }

    /// "16 MiB", for messages.
    var maxEntryDescription: String { ImportLimits.describe(maxEntryBytes) }

    static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 20 {
            let mib = Double(bytes) / Double(1 << 20)
            return mib.rounded() == mib ? "\(Int(mib)) MiB" : String(format: "%.1f MiB", mib)
        }
        return "\(bytes) bytes"
    }
}

/// Opens the right source for a path given on the command line.
public enum ImportSources {
    /// A directory, a zip (by its `PK` signature, whatever its name) or a single JSON or XML file.
    public static func open(_ path: String) throws -> any ImportSource {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ImportError.unreadableSource(path: path, reason: "no such file or directory")
        }
        if isDir.boolValue { return DirectorySource(path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ImportError.unreadableSource(path: path, reason: "cannot be opened for reading")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4)) ?? Data()
        if head.starts(with: [0x50, 0x4B]) || path.lowercased().hasSuffix(".zip") { return ZipSource(path: path) }
        return FileSource(path: path)
    }
}
