import Foundation

/// What one `ctsync import` did, printed for people and as one JSON object for scripts.
public struct ImportSummary: Sendable, Codable, Equatable {
    /// Entries read from the sources (zip entries and files; skipped ones not counted).
    public var entries = 0
    /// Studies read and stored or found already stored: `new + changed + unchanged`.
    public var imported = 0
    public var new = 0
    public var changed = 0
    public var unchanged = 0
    /// Entries or studies that could not be imported (each named in `errors`).
    public var failed = 0
    /// Legacy XML entries recognized but not imported while the XML reader is not wired in.
    public var unsupported = 0
    /// Uncompressed bytes of the entries read.
    public var bytes = 0
    public var seconds = 0.0
    /// One line per failed or unsupported entry, naming it (the first `ImportSummary.maxErrors`).
    public var errors: [String] = []
    /// Failures beyond those listed in `errors`.
    public var errorsNotListed = 0

    /// How many error lines the summary keeps; the CLI prints every one as it happens.
    public static let maxErrors = 1000

    public init() {}

    mutating func note(_ message: String) {
        if errors.count < ImportSummary.maxErrors { errors.append(message) } else { errorsNotListed += 1 }
    }
}

/// Progress of an import, as the writer sees it.
public struct ImportProgress: Sendable {
    public var entriesDone: Int
    /// The total when the sources could say (a zip's directory, a directory walk).
    public var entriesTotal: Int?
    public var studies: Int
    public var bytes: Int
    public var elapsed: TimeInterval
}

/// What an import reports while it runs; the library prints nothing.
public enum ImportEvent: Sendable {
    /// About every quarter second, and once at the end.
    case progress(ImportProgress)
    /// A failed or unsupported entry or study, with its message (`name: reason`).
    case failure(String)
}

/// How an import runs.
public struct ImportOptions: Sendable {
    public var limits = ImportLimits()
    /// Parse workers; all cores by default.
    public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Studies stored per transaction.
    public var batchSize = 4000
    /// The legacy XML reader (nil: XML entries are counted as `unsupported`).
    public var xmlImporter: XMLImporter? = .legacyXML

    public init() {}
}
