import Foundation

/// What a run should bring up to date.
public enum SyncTarget: Sendable {
    /// A saved watch: incremental from its cursor once it has one.
    case watch(Watch)
    /// A one-off query: listed in full, no cursor kept.
    case query(StudyQuery)
    /// Explicit ids, each fetched with `GET /studies/{id}`.
    case ids([NCTID])
}

/// The conductor of the nightly job: targets → pages → versions, one transaction per page.
///
/// A crash at any point leaves every completed page stored; the watch cursor moves only after a complete
/// listing, so the next run re-asks from the old cursor and the content hashes keep it from storing duplicates.
public final class SyncEngine: Sendable {
    public struct Options: Sendable {
        public var pageSize = 1000
        /// Days of overlap before the cursor, so a study posted late on the cursor's day is not missed.
        public var overlapDays = 1
        public init() {}
    }

    private let store: Store
    private let client: RegistryClient
    private let options: Options
    private let now: @Sendable () -> Date
    private let onEvent: @Sendable (SyncEvent) -> Void

    public init(store: Store, client: RegistryClient, options: Options = Options(),
                now: @escaping @Sendable () -> Date = Date.init,
                onEvent: @escaping @Sendable (SyncEvent) -> Void = { _ in }) {
        self.store = store
        self.client = client
        self.options = options
        self.now = now
        self.onEvent = onEvent
    }

    /// Runs every target in turn and returns the summary; errors of single studies are collected, a transient
    /// failure ends the run partial, and what was stored before it is kept.
    public func run(_ targets: [SyncTarget]) async throws -> SyncSummary {
        let started = Date()
        var summary = SyncSummary()
        let runID = try store.beginRun(at: now())
        for target in targets {
            do {
                switch target {
                case .watch(let watch): try await syncWatch(watch, into: &summary)
                case .query(let query): try await syncQuery(name: query.summary, query: query, watch: nil, into: &summary)
                case .ids(let ids): try await syncIDs(ids, into: &summary)
                }
            } catch let error as FetchError where error.isTransient {
                summary.outcome = .partial
                summary.partialReason = error.localizedDescription
                summary.errors.append(error.localizedDescription)
                break
            } catch let error as FetchError {
                summary.failed += 1
                summary.errors.append(error.localizedDescription)
            }
            if summary.outcome == .partial { break }
        }
        summary.requests = await client.requestCount
        summary.retries = await client.retriesUsed
        summary.seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
        try store.finishRun(runID, outcome: summary.outcome.rawValue, summary: Self.json(summary), at: now())
        return summary
    }

    private static func json(_ summary: SyncSummary) -> JSONValue {
        let data = (try? JSONEncoder().encode(summary)) ?? Data("{}".utf8)
        return (try? JSONParser.parse(data)) ?? .object([:])
    }

    // MARK: - Watches and queries

    private func syncWatch(_ watch: Watch, into summary: inout SyncSummary) async throws {
        var query = watch.query
        var since: String?
        if let cursor = watch.cursor {
            since = Self.day(cursor, minus: options.overlapDays)
            query = query.updatedSince(since!)
        }
        let complete = try await syncQuery(name: watch.name, query: query, watch: watch.name, since: since, into: &summary)
        if complete.ok {
            try store.completeWatchSync(name: watch.name, cursor: complete.maxLastUpdatePosted, at: now())
        }
    }

    @discardableResult
    private func syncQuery(name: String, query: StudyQuery, watch: String?, since: String? = nil,
                           into summary: inout SyncSummary) async throws -> (ok: Bool, maxLastUpdatePosted: String?) {
        onEvent(.targetStarted(name: name, query: query.summary, incrementalSince: since))
        var target = SyncSummary.Target(name: name, incrementalSince: since)
        var seen = Set<String>()
        var failedHere = 0
        var local = summary
        defer { summary = local }
        let outcome: ListingOutcome
        do {
            outcome = try await client.list(query, pageSize: options.pageSize) { page in
                target.pages += 1
                let outcomes = try store.record(page.records, source: .sync, fetchedAt: now(), watch: watch)
                for (record, result) in zip(page.records, outcomes) {
                    seen.insert(record.nctId.rawValue)
                    Self.tally(result, into: &local)
                    onEvent(.study(name: name, nctId: record.nctId.rawValue, outcome: result))
                }
                for failure in page.failures {
                    local.failed += 1
                    failedHere += 1
                    local.errors.append(failure.localizedDescription)
                    onEvent(.recordFailed(failure))
                }
                local.fetched += page.records.count + page.failures.count
                target.received = seen.count + failedHere
                onEvent(.page(name: name, number: target.pages, received: target.received, totalCount: target.totalCount))
                if target.pages == 1 { target.totalCount = page.totalCount }
            }
        } catch {
            local.targets.append(target)
            throw error
        }
        target.totalCount = outcome.totalCount
        if let total = outcome.totalCount, target.received < total {
            target.gap = total - target.received
            local.outcome = .partial
            local.partialReason = "\(name): the registry reported \(total) studies but \(target.received) arrived"
            local.errors.append(local.partialReason!)
            onEvent(.gap(name: name, expected: total, received: target.received))
        }
        target.complete = target.gap == nil
        local.targets.append(target)
        return (target.complete && failedHere == 0, outcome.maxLastUpdatePosted)
    }

    // MARK: - Explicit ids

    private func syncIDs(_ ids: [NCTID], into summary: inout SyncSummary) async throws {
        let name = ids.count == 1 ? ids[0].rawValue : "\(ids.count) ids"
        onEvent(.targetStarted(name: name, query: ids.map(\.rawValue).joined(separator: ","), incrementalSince: nil))
        var target = SyncSummary.Target(name: name)
        defer { summary.targets.append(target) }
        for id in ids {
            do {
                let fetched = try await client.study(id)
                if let alias = fetched.aliasOf {
                    try store.recordAlias(alias, canonical: fetched.record.nctId, at: now())
                }
                let outcome = try store.record([fetched.record], source: .sync, fetchedAt: now())[0]
                Self.tally(outcome, into: &summary)
                summary.fetched += 1
                target.received += 1
                onEvent(.study(name: name, nctId: fetched.record.nctId.rawValue, outcome: outcome))
            } catch let error as FetchError where !error.isTransient {
                summary.failed += 1
                summary.errors.append(error.localizedDescription)
            } catch let error as RecordError {
                summary.failed += 1
                summary.errors.append(RecordError(nctId: error.nctId ?? id.rawValue, path: error.path,
                                                  reason: error.reason).localizedDescription)
            }
        }
        target.complete = true
    }

    private static func tally(_ outcome: RecordOutcome, into summary: inout SyncSummary) {
        switch outcome {
        case .new: summary.new += 1
        case .changed: summary.changed += 1
        case .unchanged: summary.unchanged += 1
        }
    }

    /// `yyyy-MM-dd` minus `days`; partial dates are used as they are.
    static func day(_ date: String, minus days: Int) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        guard date.count == 10, let d = f.date(from: date) else { return date }
        return f.string(from: d.addingTimeInterval(-Double(days) * 86_400))
    }
}
