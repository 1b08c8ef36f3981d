import ArgumentParser
import CTSyncCore
import Foundation

/// Filters shared by `search` and `export`.
struct SearchFilterOptions: ParsableArguments {
    @Option(help: "Only these overall statuses, comma-separated (RECRUITING,COMPLETED).") var status: String?
    @Option(help: "Only studies with one of these phases, comma-separated (PHASE2,PHASE3 or 2,3; EARLY_PHASE1; NA).")
    var phase: String?
    @Option(help: "Only this study type: INTERVENTIONAL, OBSERVATIONAL or EXPANDED_ACCESS.") var type: String?
    @Option(help: "Only studies with a location in this country (whole name, any case).") var country: String?
    @Flag(help: "Only studies with posted results.") var hasResults = false
    @Option(help: "Only studies that started on or after this date (yyyy, yyyy-MM or yyyy-MM-dd).") var startedAfter: String?

    static let types = ["INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS"]

    func validate() throws {
        if let type, !SearchFilterOptions.types.contains(SearchFilter.normalizeStatus(type)) {
            throw ValidationError("--type must be INTERVENTIONAL, OBSERVATIONAL or EXPANDED_ACCESS, not '\(type)'")
        }
        if let startedAfter {
            let ok = startedAfter.wholeMatch(of: /[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?/) != nil
            if !ok { throw ValidationError("--started-after must be yyyy, yyyy-MM or yyyy-MM-dd, not '\(startedAfter)'") }
        }
        if let status, list(status).isEmpty { throw ValidationError("--status needs at least one status") }
        if let phase, list(phase).isEmpty { throw ValidationError("--phase needs at least one phase") }
    }

    private func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    var filter: SearchFilter {
        var f = SearchFilter()
        f.statuses = status.map { list($0).map(SearchFilter.normalizeStatus) } ?? []
        f.phases = phase.map { list($0).map(SearchFilter.normalizePhase) } ?? []
        f.studyType = type.map(SearchFilter.normalizeStatus)
        f.country = country?.trimmingCharacters(in: .whitespaces)
        f.hasResults = hasResults
        f.startedAfter = startedAfter
        return f
    }
}

struct Search: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search the local copy: full text ranked by relevance, with filters.",
        discussion: """
            QUERY: plain words (all must match), "quoted phrases", OR, NOT (upper case), prefix*. Words are stemmed
            (trials finds trial) and accents ignored. Ranked by bm25 with title and conditions weighing most.
            A malformed query is rejected with what is wrong (exit code 64).
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The search query.") var query: String?
    @OptionGroup(title: "Filters") var filters: SearchFilterOptions
    @Option(help: "At most this many results (default 20).") var limit = 20
    @Flag(help: "Print the results as JSON.") var json = false
    @Flag(help: "Print the results as CSV.") var csv = false
    @Flag(help: "Rebuild the search index from the stored versions first (QUERY then optional).") var reindex = false

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv exclude each other") }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if query == nil && !reindex { throw ValidationError("give a search query, e.g. ctsync search 'covid vaccine'") }
        if let query {
            do { _ = try SearchQuery(query) } catch { throw ValidationError("bad query: \(error.localizedDescription)") }
        }
    }

    func run() async throws {
        try await reportingErrors {
            let store = try global.openStore(mustExist: true)
            if reindex {
                let n = try store.reindexSearch()
                if !global.quiet { printError("indexed \(n) studies") }
            }
            guard let query else { return }
            let hits = try store.search(try SearchQuery(query), filter: filters.filter, limit: limit)
            if json {
                try printJSON(hits)
            } else if csv {
                print(CSV.line(["nctId", "overallStatus", "phases", "title", "conditions", "score", "snippet"]))
                for h in hits {
                    print(CSV.line([h.nctId, h.overallStatus ?? "", h.phases.joined(separator: ExportRow.csvListSeparator),
                                    h.title ?? "", h.conditions.joined(separator: ExportRow.csvListSeparator),
                                    String(format: "%.3f", h.score), h.snippet]))
                }
            } else {
                if hits.isEmpty, !global.quiet { printError("no study matches") }
                for h in hits {
                    let phases = h.phases.isEmpty ? "-" : h.phases.joined(separator: "/")
                    print("\(h.nctId)  \(h.overallStatus ?? "-")  \(phases)  \(h.title ?? "(no title)")")
                    if !h.conditions.isEmpty { print("    conditions: \(h.conditions.joined(separator: "; "))") }
                    let snippet = h.snippet.replacingOccurrences(of: "\n", with: " ")
                    if !snippet.isEmpty { print("    \(snippet)") }
                }
            }
        }
    }
}
