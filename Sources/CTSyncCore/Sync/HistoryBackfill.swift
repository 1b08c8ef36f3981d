import Foundation

/// Fills in studies' pasts from the registry's own record history (`/api/int/studies/{NCT}?history=true`, then
/// `/history/{v}` for each version not stored yet), politely: through `RegistryClient`, so with the same
/// throttle, retries and retry budget as sync.
///
/// Fetched versions are stored every `chunk` versions (one transaction each), so a run that stops early keeps
/// what it fetched; the next run asks only for what is still missing.
public final class HistoryBackfill: Sendable {
    private let store: Store
    private let client: RegistryClient
    private let chunk: Int
    private let now: @Sendable () -> Date
    private let onEvent: @Sendable (BackfillEvent) -> Void

    public init(store: Store, client: RegistryClient, chunk: Int = 20, now: @escaping @Sendable () -> Date = Date.init,
                onEvent: @escaping @Sendable (BackfillEvent) -> Void = { _ in }) {
        self.store = store
        self.client = client
        self.chunk = max(1, chunk)
        self.now = now
        self.onEvent = onEvent
    }

    /// Backfills each study in turn. A study that fails (unknown to the registry, an unreadable history) is
    /// counted and the others go on; a transient failure (retries or budget spent) ends the run partial.
    public func run(_ ids: [NCTID]) async throws -> BackfillSummary {
        let started = Date()
        var summary = BackfillSummary()
        for id in ids {
            summary.studies += 1
            do {
                try await backfill(try store.resolve(id), into: &summary)
            } catch let error as FetchError where error.isTransient {
                summary.outcome = .partial
                summary.partialReason = error.localizedDescription
                summary.errors.append("\(id.rawValue): \(error.localizedDescription)")
                break
            } catch let error as FetchError {
                summary.failed += 1
                summary.errors.append("\(id.rawValue): \(error.localizedDescription)")
                onEvent(.failed(nctId: id.rawValue, message: error.localizedDescription))
            } catch let error as RecordError {
                summary.failed += 1
                summary.errors.append("\(id.rawValue): \(error.localizedDescription)")
                onEvent(.failed(nctId: id.rawValue, message: error.localizedDescription))
            }
        }
        summary.requests = await client.requestCount
        summary.retries = await client.retriesUsed
        summary.seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
        return summary
    }

    private func backfill(_ id: NCTID, into summary: inout BackfillSummary) async throws {
        let listed = try await client.historyVersions(of: id)
        let stored = try store.registryVersions(of: id)
        let missing = listed.filter { !stored.contains($0.version) }
        summary.listed += listed.count
        summary.alreadyStored += listed.count - missing.count
        onEvent(.study(nctId: id.rawValue, listed: listed.count, missing: missing.count))
        var pending: [(RegistryVersion, PreparedRecord)] = []
        func flush() throws {
            guard !pending.isEmpty else { return }
            let outcomes = try store.recordHistory(id, versions: pending, fetchedAt: now())
            for outcome in outcomes {
                switch outcome {
                case .added: summary.added += 1
                case .matched: summary.matched += 1
                case .sameContent: summary.alreadyStored += 1
                }
                onEvent(.stored(nctId: id.rawValue, outcome: outcome))
            }
            pending.removeAll()
        }
        do {
            for version in missing {
                let record = try await client.historyVersion(version.version, of: id)
                summary.fetched += 1
                pending.append((version, try PreparedRecord(record)))
                if pending.count >= chunk { try flush() }
            }
        } catch {
            try flush()  // keep what was fetched
            throw error
        }
        try flush()
    }
}
