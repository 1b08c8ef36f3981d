import Foundation

/// Why an import source or entry could not be read; the text names the file or entry and what is wrong.
public enum ImportError: Error, LocalizedError, Sendable {
    /// The path itself cannot be read (missing, unreadable).
    case unreadableSource(path: String, reason: String)
    /// The zip cannot be opened as a whole: truncated (its central directory is at the end) or not a zip.
    case unreadableArchive(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .unreadableSource(let path, let reason):
            return "\(path): \(reason)"
        case .unreadableArchive(let path, let reason):
            return "\(path): not a readable zip archive (\(reason)); a truncated download loses the zip's directory, which is at its end: download it again"
        }
    }
}
