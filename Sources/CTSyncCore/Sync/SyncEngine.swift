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
        /// List every watch's whole query (not just the increment) and compare it with the watch's studies.
        public var full = false
        /// Studies per watch to re-fetch by id after the incremental pass (nil: each watch's own setting).
        public var reconcile: Int?
        /// Ids per `filter.ids` request when reconciling.
        public var idsPerRequest = 1000
        /// Turns a stored version and its predecessor into the change log's entries (nil: no change log).
        public var detector: ChangeDetector? = TrialDiffer.detector
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
        let eventsBefore = try store.lastEventID()
        let changesBefore = try store.lastChangeID()
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
            } catch {
                // The store failed: record the run as failed (what was committed stays), then report the error.
                summary.errors.append(error.localizedDescription)
                try? store.finishRun(runID, outcome: "failed", summary: Self.json(summary), at: now())
                throw error
            }
            if summary.outcome == .partial { break }
        }
        let events = try store.eventCounts(after: eventsBefore)
        summary.left = events[.leftWatch] ?? 0
        summary.returned = events[.returned] ?? 0
        summary.removed = events[.removedFromRegistry] ?? 0
        summary.aliased = events[.aliased] ?? 0
        summary.changes = try store.changeCount(after: changesBefore)
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
        let full = options.full || watch.cursor == nil
        if !full, let cursor = watch.cursor {
            since = Self.day(cursor, minus: options.overlapDays)
            query = query.updatedSince(since!)
        }
        let listing = try await syncQuery(name: watch.name, query: query, watch: watch.name, since: since, into: &summary)
        if listing.ok {
            try store.completeWatchSync(name: watch.name, cursor: listing.maxLastUpdatePosted, at: now())
        }
        if full, listing.complete {
            // Studies the query no longer returns: left the watch, left the registry, or became an alias.
            let missing = try store.members(of: watch.name).subtracting(listing.seen).sorted().compactMap(NCTID.init)
            try await resolveMissing(missing, watch: watch.name, leftWhenPresent: true, into: &summary)
            try store.completeFullListing(watch: watch.name, at: now())
        }
        if let budget = options.reconcile ?? watch.reconcileBudget, budget > 0 {
            try await reconcile(watch.name, budget: budget, into: &summary)
        }
    }

    /// Stores one page in one transaction (after following aliases it reveals), counts what happened, and reports
    /// each study and each unreadable one.
    ///
    /// A study that does not normalize (a string where a number belongs, …) is not stored: it is reported with its
    /// NCT id and path, and every other study of the page is stored.
    @discardableResult
    private func storePage(_ page: StudyPage, name: String, watch: String?,
                           into summary: inout SyncSummary) throws -> (stored: [StudyRecord], failed: Int) {
        var records: [StudyRecord] = []
        var failures = page.failures
        for record in page.records {
            do {
                _ = try Trial(v2: record.json)
                records.append(record)
            } catch {
                failures.append(error)
            }
        }
        try mergeAliases(in: records)
        let outcomes = try store.record(records, source: .sync, fetchedAt: now(), watch: watch, changes: options.detector)
        for (record, outcome) in zip(records, outcomes) {
            Self.tally(outcome, into: &summary)
            onEvent(.study(name: name, nctId: record.nctId.rawValue, outcome: outcome))
        }
        for failure in failures {
            summary.failed += 1
            summary.errors.append(failure.localizedDescription)
            onEvent(.recordFailed(failure))
        }
        summary.fetched += page.records.count + page.failures.count
        return (records, failures.count)
    }

    /// A study whose `nctIdAliases` name a study the store holds under its own id is that study under its new
    /// canonical id: continue the history there (no false addition, no false removal).
    private func mergeAliases(in records: [StudyRecord]) throws {
        for record in records {
            let aliases = record.json[path: "protocolSection.identificationModule.nctIdAliases"]?.arrayValue ?? []
            for alias in aliases.compactMap({ $0.stringValue.flatMap(NCTID.init) }) where try store.contains(alias) {
                try store.mergeAlias(alias, into: record.nctId, at: now())
                onEvent(.event(.aliased, nctId: alias.rawValue, watch: nil))
            }
        }
    }

    /// Re-fetches by `filter.ids` the `budget` studies of a watch checked least recently, storing any new
    /// version: this catches what the incremental filter misses (status flips to UNKNOWN, MeSH re-indexing, …).
    /// Every page is committed with the studies' check times, so a run killed midway resumes where it stopped.
    private func reconcile(_ watch: String, budget: Int, into summary: inout SyncSummary) async throws {
        let ids = try store.leastRecentlyChecked(watch: watch, limit: budget)
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + options.idsPerRequest, ids.count)])
            start += chunk.count
            var answered = Set<String>()
            var unreadable: [NCTID] = []
            var local = summary
            defer { summary = local }
            _ = try await client.list(StudyQuery(ids: chunk.map(\.rawValue)), pageSize: options.idsPerRequest) { page in
                let (stored, _) = try storePage(page, name: watch, watch: watch, into: &local)
                let storedIDs = Set(stored.map(\.nctId))
                unreadable += page.records.map(\.nctId).filter { !storedIDs.contains($0) }
                for record in page.records {
                    answered.insert(record.nctId.rawValue)
                    // filter.ids also matches aliases: the canonical study answers for an alias id.
                    let aliases = record.json[path: "protocolSection.identificationModule.nctIdAliases"]?.arrayValue ?? []
                    answered.formUnion(aliases.compactMap(\.stringValue))
                }
            }
            // Studies answered but not readable were checked too: they must not take the budget every night.
            try store.markChecked(unreadable, at: now())
            local.reconciled += chunk.count
            summary = local
            let missing = chunk.filter { !answered.contains($0.rawValue) }
            try await resolveMissing(missing, watch: watch, leftWhenPresent: false, into: &summary)
        }
    }

    /// Fetches one study by id and stores it: a 301 first merges the alias's history into the canonical id (the
    /// watch follows it); a study that does not normalize is reported, not stored.
    private func fetchAndStore(_ id: NCTID, watch: String?) async throws -> (FetchedStudy, RecordOutcome) {
        let fetched = try await client.study(id)
        _ = try Trial(v2: fetched.record.json)
        var joins: String?
        if let alias = fetched.aliasOf {
            try store.mergeAlias(alias, into: fetched.record.nctId, at: now())
            onEvent(.event(.aliased, nctId: alias.rawValue, watch: watch))
            joins = watch
        }
        let outcome = try store.record([fetched.record], source: .sync, fetchedAt: now(), watch: joins,
                                       changes: options.detector)[0]
        return (fetched, outcome)
    }

    /// Asks the registry about each study one by one: a 404 marks it removed, a 301 continues its history under
    /// the canonical id, and a study still served is stored (and, after a full listing, marked as having left).
    private func resolveMissing(_ ids: [NCTID], watch: String, leftWhenPresent: Bool,
                                into summary: inout SyncSummary) async throws {
        for id in ids {
            do {
                let (fetched, outcome) = try await fetchAndStore(id, watch: watch)
                Self.tally(outcome, into: &summary)
                if fetched.aliasOf == nil {
                    if leftWhenPresent {
                        try store.markLeft(id, watch: watch, at: now())
                        onEvent(.event(.leftWatch, nctId: id.rawValue, watch: watch))
                    }
                }
                summary.fetched += 1
            } catch FetchError.notFound {
                try store.markRemoved(id, at: now())
                onEvent(.event(.removedFromRegistry, nctId: id.rawValue, watch: watch))
            } catch let error as FetchError where !error.isTransient {
                // One study the registry refuses must not stop the others behind it.
                summary.failed += 1
                summary.errors.append(error.localizedDescription)
                try store.markChecked([id], at: now())
            } catch let error as RecordError {
                summary.failed += 1
                summary.errors.append(error.localizedDescription)
                try store.markChecked([id], at: now())
            }
        }
    }

    @discardableResult
    private func syncQuery(name: String, query: StudyQuery, watch: String?, since: String? = nil,
                           into summary: inout SyncSummary) async throws -> Listing {
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
                let (stored, failed) = try storePage(page, name: name, watch: watch, into: &local)
                seen.formUnion(stored.map(\.nctId.rawValue))
                failedHere += failed
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
        return Listing(complete: target.complete, ok: target.complete && failedHere == 0,
                       maxLastUpdatePosted: outcome.maxLastUpdatePosted, seen: seen)
    }

    /// How a listing went: complete (no gap), ok (complete and every study readable), and what it saw.
    struct Listing {
        var complete: Bool
        var ok: Bool
        var maxLastUpdatePosted: String?
        var seen: Set<String>
    }

    // MARK: - Explicit ids

    private func syncIDs(_ ids: [NCTID], into summary: inout SyncSummary) async throws {
        let name = ids.count == 1 ? ids[0].rawValue : "\(ids.count) ids"
        onEvent(.targetStarted(name: name, query: ids.map(\.rawValue).joined(separator: ","), incrementalSince: nil))
        var target = SyncSummary.Target(name: name)
        defer { summary.targets.append(target) }
        for id in ids {
            do {
                let (fetched, outcome) = try await fetchAndStore(id, watch: nil)
                Self.tally(outcome, into: &summary)
                summary.fetched += 1
                target.received += 1
                onEvent(.study(name: name, nctId: fetched.record.nctId.rawValue, outcome: outcome))
            } catch FetchError.notFound(let nctId, let url) {
                if (try? store.versions(of: id)) != nil {
                    try store.markRemoved(store.resolve(id), at: now())
                    onEvent(.event(.removedFromRegistry, nctId: id.rawValue, watch: nil))
                } else {
                    summary.failed += 1
                    summary.errors.append(FetchError.notFound(nctId: nctId, url: url).localizedDescription)
                }
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
