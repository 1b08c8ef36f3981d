import ArgumentParser
import CTSyncCore
import Foundation

/// The politeness options of every command that talks to the registry (`sync`, `history --backfill`, `watch backfill`).
struct FetchOptions: ParsableArguments {
    @Option(help: "Requests per second at most.") var rate: Double = 2
    @Option(help: "Retries allowed in this run before it ends partial.") var retryBudget: Int = 40
    @Option(help: "Attempts per request.") var maxAttempts: Int = 6
    @Option(help: "Seconds before the first retry (doubled each time, ±25% jitter).") var backoff: Double = 1
    @Option(help: "Seconds a request may take in all.") var timeout: Double = 60
    @Option(help: "Seconds to wait for another sync, import or backfill holding this database.") var lockTimeout: Double = 60

    func validate() throws {
        if rate < 0 { throw ValidationError("--rate must be 0 (no limit) or more") }
        if maxAttempts < 1 { throw ValidationError("--max-attempts must be at least 1") }
    }

    /// A registry client with these settings; retries are reported through `onEvent`.
    func client(_ global: GlobalOptions, onEvent: @escaping @Sendable (FetchEvent) -> Void) -> RegistryClient {
        var policy = RequestPolicy()
        policy.requestsPerSecond = rate
        policy.retryBudget = retryBudget
        policy.maxAttempts = maxAttempts
        policy.backoffBase = backoff
        var curl = CurlOptions()
        curl.totalTimeout = timeout
        curl.connectTimeout = min(10, timeout)
        return RegistryClient(baseURL: global.registryURL(), transport: .curl(curl), policy: policy, onEvent: onEvent)
    }

    /// Runs a backfill of `ids` under the database's sync lock, printing retries (and with `verbose`, requests).
    func backfill(_ ids: [NCTID], store: Store, global: GlobalOptions) async throws -> BackfillSummary {
        let lock = try SyncLock(databasePath: store.path, timeout: lockTimeout)
        defer { withExtendedLifetime(lock) {} }
        let verbose = global.verbose
        let client = client(global, onEvent: { event in
            switch event {
            case .request(let url): if verbose { printError("GET \(url)") }
            case .retry(let url, let attempt, let delay, let reason):
                printError(String(format: "retry %d of %@ in %.1f s: %@", attempt, url, delay, reason))
            }
        })
        let engine = HistoryBackfill(store: store, client: client, onEvent: { event in
            if verbose, case .study(let id, let listed, let missing) = event {
                printError("\(id): the registry lists \(listed) versions, \(missing) not stored yet")
            }
        })
        return try await engine.run(ids)
    }

    /// The summary line for people.
    static func line(_ s: BackfillSummary) -> String {
        "backfill: \(s.studies) studies, \(s.listed) registry versions, fetched \(s.fetched), added \(s.added), matched \(s.matched), already stored \(s.alreadyStored), failed \(s.failed), requests \(s.requests)"
    }

    /// Prints errors and the partial notice, and throws the documented exit code (3 partial, 4 some failed).
    static func finish(_ s: BackfillSummary, json: Bool) throws {
        if !json { for e in s.errors { printError("error: \(e)") } }
        if s.outcome == .partial {
            if !json { printError("PARTIAL: \(s.partialReason ?? "the run stopped early"); what was stored is kept, run again to complete it") }
            throw Exit.partial
        }
        if s.failed > 0 { throw Exit.someFailed }
    }
}
