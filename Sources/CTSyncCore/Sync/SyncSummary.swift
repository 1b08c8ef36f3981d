import Foundation

/// What one `ctsync sync` did, as printed for people and as one JSON object for scripts.
public struct SyncSummary: Sendable, Codable, Equatable {
    public enum Outcome: String, Sendable, Codable {
        /// Everything asked for was fetched and stored.
        case ok
        /// The run stopped early (retry budget spent, registry unreachable, a listing shorter than its total):
        /// what was stored is kept and the next run completes it.
        case partial
    }

    /// One watch, query or id list of the run.
    public struct Target: Sendable, Codable, Equatable {
        public var name: String
        public var incrementalSince: String?
        public var pages = 0
        public var received = 0
        public var totalCount: Int?
        /// `totalCount` minus what arrived, when studies are missing from the listing.
        public var gap: Int?
        public var complete = false
    }

    public var outcome: Outcome = .ok
    public var fetched = 0
    public var new = 0
    public var changed = 0
    public var unchanged = 0
    public var failed = 0
    public var requests = 0
    public var retries = 0
    /// Studies re-fetched by id to reconcile watches with the registry.
    public var reconciled = 0
    /// Studies that no longer match their watch's query (`--full`), came back, left the registry (404), or
    /// became an alias of another study (301).
    public var left = 0
    public var returned = 0
    public var removed = 0
    public var aliased = 0
    public var seconds = 0.0
    public var targets: [Target] = []
    /// One line for each study or request that failed.
    public var errors: [String] = []
    /// Why the run is partial.
    public var partialReason: String?
    /// Changes the run added to the change log.
    public var changes = 0
    /// What delivering the alerts after the run did (nil with `--no-alerts`).
    public var alerts: DeliveryReport?

    public init() {}
}

/// Progress and findings of a run, for the executable to show as it likes; the library prints nothing.
public enum SyncEvent: Sendable {
    case targetStarted(name: String, query: String, incrementalSince: String?)
    case page(name: String, number: Int, received: Int, totalCount: Int?)
    case study(name: String, nctId: String, outcome: RecordOutcome)
    case recordFailed(RecordError)
    case gap(name: String, expected: Int, received: Int)
    case fetch(FetchEvent)
    case event(ChangeEvent.Kind, nctId: String, watch: String?)
}
