import Foundation

/// What one history backfill did, for people and as JSON.
public struct BackfillSummary: Sendable, Codable, Equatable {
    public var outcome: SyncSummary.Outcome = .ok
    /// Studies whose history was asked for.
    public var studies = 0
    /// Versions the registry lists for them.
    public var listed = 0
    /// Versions fetched (those not stored before).
    public var fetched = 0
    /// Versions added to the store.
    public var added = 0
    /// Versions whose content was already stored (synced or imported), now numbered by the registry.
    public var matched = 0
    /// Versions stored before this run (skipped without a request).
    public var alreadyStored = 0
    /// Studies that failed (each named in `errors`).
    public var failed = 0
    public var requests = 0
    public var retries = 0
    public var seconds = 0.0
    public var errors: [String] = []
    public var partialReason: String?

    public init() {}
}

/// Progress of a backfill, for the executable to show; the library prints nothing.
public enum BackfillEvent: Sendable {
    case study(nctId: String, listed: Int, missing: Int)
    case stored(nctId: String, outcome: BackfillOutcome)
    case failed(nctId: String, message: String)
    case fetch(FetchEvent)
}
