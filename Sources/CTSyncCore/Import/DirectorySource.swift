import Foundation

/// A directory of `.json` and `.xml` files, walked recursively in name order (the bulk archive unzipped, or
/// `AllPublicXML/`); other files are skipped. Hidden files are skipped; symbolic links are not followed into
/// other directories.
public struct DirectorySource: ImportSource {
    public let path: String
    public var name: String { path }

    public init(path: String) {
        self.path = path
    }

    public func estimatedEntries() -> Int? {
        var n = 0
        walk { _, _ in n += 1; return true }
        return n
    }

    public func forEach(limits: ImportLimits, _ body: (ImportItem) -> Bool) throws {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ImportError.unreadableSource(path: path, reason: "the directory cannot be read")
        }
        walk { full, relative in
            let name = (path as NSString).appendingPathComponent(relative)
            return body(FileSource.read(full, name: name, limits: limits))
        }
    }

    /// Calls `visit(fullPath, relativePath)` for each `.json`/`.xml` regular file, depth first in name order, one
    /// directory listing at a time (memory does not grow with the total number of files).
    private func walk(_ visit: (String, String) -> Bool) {
        let fm = FileManager.default
        func recurse(_ dir: String, _ relative: String) -> Bool {
            guard let names = try? fm.contentsOfDirectory(atPath: dir) else { return true }
            for child in names.sorted() where !child.hasPrefix(".") {
                let full = (dir as NSString).appendingPathComponent(child)
                let rel = relative.isEmpty ? child : relative + "/" + child
                guard let attributes = try? fm.attributesOfItem(atPath: full) else { continue }
                let type = attributes[.type] as? FileAttributeType
                if type == .typeDirectory {
                    if !recurse(full, rel) { return false }
                } else if type == .typeRegular || type == .typeSymbolicLink {
                    let lower = child.lowercased()
                    guard lower.hasSuffix(".json") || lower.hasSuffix(".xml") else { continue }
                    if !visit(full, rel) { return false }
                }
            }
            return true
        }
        _ = recurse(path, "")
    }
}
