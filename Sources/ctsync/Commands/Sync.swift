import ArgumentParser
import CTSyncCore
import Foundation

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch studies from the registry and store every new version.",
        discussion: """
            With a query (--cond/--term/--intr/--status) or NCT ids, syncs just those. With neither, syncs every
            watch: the first run lists the watch's whole query, later runs only what was posted since its cursor.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Conditions or disease (query.cond).") var cond: String?
    @Option(help: "Other terms (query.term).") var term: String?
    @Option(help: "Intervention or treatment (query.intr).") var intr: String?
    @Option(help: "Overall statuses, comma-separated (e.g. RECRUITING,COMPLETED).") var status: String?
    @Argument(help: "Study ids to fetch one by one (GET /studies/{id}).") var ids: [String] = []

    @Flag(help: "Print the summary as one JSON object.") var json = false
    @Flag(help: "List each watch's whole query and compare it with the studies the watch holds (left, removed, aliased).")
    var full = false
    @Flag(help: "After the incremental pass, re-fetch by id the studies of each watch checked least recently.")
    var reconcile = false
    @Option(help: "Studies per watch to re-check with --reconcile (default \(Sync.defaultReconcileBudget)).")
    var budget: Int?
    @Option(help: "Studies per page (the registry serves at most 1000).") var pageSize: Int = 1000
    @OptionGroup(title: "Politeness") var fetch: FetchOptions
    @Flag(help: "Store and log changes but do not deliver alerts.") var noAlerts = false

    func validate() throws {
        for id in ids { _ = try parseNCTID(id) }
        if !ids.isEmpty, cond != nil || term != nil || intr != nil || status != nil {
            throw ValidationError("give either NCT ids or a query (--cond/--term/--intr/--status), not both")
        }
        if !(1...1000).contains(pageSize) { throw ValidationError("--page-size must be 1 to 1000") }
        if let status { _ = try Statuses.parse(status) }
        if let budget, budget < 1 { throw ValidationError("--budget must be at least 1") }
        if (full || reconcile || budget != nil), !ids.isEmpty || cond != nil || term != nil || intr != nil || status != nil {
            throw ValidationError("--full, --reconcile and --budget apply to watches: give no query or ids with them")
        }
    }

    /// 500 studies a night re-checks a 10,000-study watch in 20 nightly runs (under a month of weekday runs)
    /// with one `filter.ids` request a night.
    static let defaultReconcileBudget = 500

    func run() async throws {
        try await reportingErrors {
            let path = try global.databasePath()
            let store = try Store(path: path)
            let lock = try SyncLock(databasePath: path, timeout: fetch.lockTimeout)
            defer { withExtendedLifetime(lock) {} }

            let targets = try makeTargets(store)
            if targets.isEmpty {
                if !global.quiet {
                    printError("nothing to sync: add a watch (`ctsync watch add NAME --cond …`) or give a query or NCT ids")
                }
                return
            }

            let progress = Progress(enabled: isTTY(2) && !global.quiet && !json, verbose: global.verbose)
            let client = fetch.client(global, onEvent: { progress.handle(.fetch($0)) })
            var options = SyncEngine.Options()
            options.pageSize = pageSize
            options.full = full
            if reconcile || budget != nil { options.reconcile = budget ?? Sync.defaultReconcileBudget }
            let engine = SyncEngine(store: store, client: client, options: options, onEvent: { progress.handle($0) })
            var summary = try await engine.run(targets)
            progress.finish()
            if !noAlerts { summary.alerts = try await deliverAlerts(store, ignoringBackoff: false) }
            report(summary)
            if summary.outcome == .partial { throw Exit.partial }
            if summary.failed > 0 { throw Exit.someFailed }
            if let alerts = summary.alerts, alerts.failed > 0 { throw Exit.deliveryFailed }
        }
    }

    private func makeTargets(_ store: Store) throws -> [SyncTarget] {
        if !ids.isEmpty { return [.ids(try ids.map(parseNCTID))] }
        if cond != nil || term != nil || intr != nil || status != nil {
            return [.query(StudyQuery(cond: cond, term: term, intr: intr, statuses: try status.map(Statuses.parse) ?? []))]
        }
        return try store.watches().map { .watch($0) }
    }

    private func report(_ s: SyncSummary) {
        if json {
            try? printJSON(s, pretty: false)
        } else if !global.quiet || s.outcome != .ok || s.failed > 0 {
            var line = "fetched \(s.fetched), new \(s.new), changed \(s.changed), unchanged \(s.unchanged), failed \(s.failed), requests \(s.requests)"
            if s.reconciled > 0 { line += ", reconciled \(s.reconciled)" }
            if s.changes > 0 { line += ", changes \(s.changes)" }
            if let a = s.alerts, a.delivered + a.failed > 0 { line += ", alerts delivered \(a.delivered)" + (a.failed > 0 ? ", alerts failed \(a.failed)" : "") }
            for (name, n) in [("left", s.left), ("returned", s.returned), ("removed", s.removed), ("aliased", s.aliased)] where n > 0 {
                line += ", \(name) \(n)"
            }
            if global.quiet {
                printError(line)
            } else {
                print(line)
            }
        }
        for error in s.errors + (s.alerts?.errors ?? []) where !json || global.verbose {
            printError("error: \(error)")
        }
        if s.outcome == .partial {
            if !json { printError("PARTIAL: \(s.partialReason ?? "the run stopped early"); what was stored is kept, run again to complete it") }
        }
    }
}

/// The 14 overall statuses of API v2.
enum Statuses {
    static let all: Set<String> = [
        "ACTIVE_NOT_RECRUITING", "COMPLETED", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING", "RECRUITING",
        "SUSPENDED", "TERMINATED", "WITHDRAWN", "AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE",
        "APPROVED_FOR_MARKETING", "WITHHELD", "UNKNOWN",
    ]

    static func parse(_ text: String) throws -> [String] {
        let values = text.split(whereSeparator: { $0 == "," || $0 == "|" })
            .map { $0.trimmingCharacters(in: .whitespaces).uppercased().replacingOccurrences(of: " ", with: "_") }
            .filter { !$0.isEmpty }
        for v in values where !all.contains(v) {
            throw ValidationError("unknown status '\(v)'; one of: \(all.sorted().joined(separator: ", "))")
        }
        return values
    }
}
