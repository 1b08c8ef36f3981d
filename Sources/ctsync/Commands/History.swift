import ArgumentParser
import CTSyncCore
import Foundation

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the stored versions of a study; --backfill first fetches the registry's record history.",
        discussion: """
            With --backfill, the registry's own record history is fetched from the website's internal API (the
            --registry base with its last component replaced by 'int': https://clinicaltrials.gov/api/int) and every
            version not stored yet is stored with the registry's version number and date. Version numbers are the
            study's timeline order, so a backfill renumbers the versions synced before it; diff --from/--to then
            span the whole history.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The study's NCT id.") var nctId: String
    @Flag(help: "Print the versions as JSON.") var json = false
    @Flag(help: "Fetch the registry's record history first and store the versions not stored yet.") var backfill = false
    @OptionGroup(title: "Backfill") var backfillOptions: FetchOptions

    func validate() throws { _ = try parseNCTID(nctId) }

    func run() async throws {
        try await reportingErrors {
            let id = try parseNCTID(nctId)
            var summary: BackfillSummary?
            let store: Store
            if backfill {
                store = try global.openStore()
                summary = try await backfillOptions.backfill([id], store: store, global: global)
            } else {
                store = try global.openStore(mustExist: true)
            }
            let versions = (try? store.versions(of: id)) ?? []
            if versions.isEmpty, summary == nil { _ = try store.versions(of: id) }  // the clear "not in the store" error
            if json {
                if let summary {
                    try printJSON(BackfillOutput(backfill: summary, versions: versions))
                } else {
                    try printJSON(versions)
                }
            } else {
                if let summary, !global.quiet { printError(FetchOptions.line(summary)) }
                if !versions.isEmpty { printTable(versions) }
            }
            if let summary { try FetchOptions.finish(summary, json: json) }
        }
    }

    private func printTable(_ versions: [VersionInfo]) {
        print("version  fetched at                last update posted  overall status            source   registry")
        for v in versions {
            let n = String(v.version).padding(toLength: 9, withPad: " ", startingAt: 0)
            let f = v.fetchedAt.padding(toLength: 26, withPad: " ", startingAt: 0)
            let l = (v.lastUpdatePosted ?? "-").padding(toLength: 20, withPad: " ", startingAt: 0)
            let s = (v.overallStatus ?? "-").padding(toLength: 26, withPad: " ", startingAt: 0)
            let src = v.source.padding(toLength: 9, withPad: " ", startingAt: 0)
            let r = v.registryVersion.map { "v\($0) \(v.registryDate ?? "")" } ?? "-"
            print("\(n)\(f)\(l)\(s)\(src)\(r)")
        }
    }
}

/// `history --backfill --json`: what the backfill did and the versions after it.
struct BackfillOutput: Encodable {
    var backfill: BackfillSummary
    var versions: [VersionInfo]
}
