import Foundation

/// One JSON file (a study, an array of studies or a `/studies` page) or one legacy XML file.
public struct FileSource: ImportSource {
    public let path: String
    public var name: String { path }

    public init(path: String) {
        self.path = path
    }

    public func estimatedEntries() -> Int? { 1 }

    public func forEach(limits: ImportLimits, _ body: (ImportItem) -> Bool) throws {
        _ = body(FileSource.read(path, name: path, limits: limits))
    }

    /// Reads a file after checking its size against the limit.
    static func read(_ path: String, name: String, limits: ImportLimits) -> ImportItem {
        let size: Int
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            return .refused(name: name, reason: "cannot read: \(error.localizedDescription)")
        }
        if size > limits.maxEntryBytes {
            return .refused(name: name, reason: "\(ImportLimits.describe(size)), over the \(limits.maxEntryDescription) limit per entry (--max-entry-mib); not read")
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            if data.count > limits.maxEntryBytes {
                return .refused(name: name, reason: "grew over the \(limits.maxEntryDescription) limit per entry while read")
            }
            return .entry(ImportEntry(name: name, bytes: data))
        } catch {
            return .refused(name: name, reason: "cannot read: \(error.localizedDescription)")
        }
    }
}
