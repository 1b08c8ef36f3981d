import ArgumentParser
import CTSyncCore
import Foundation

extension WatchCommand {
    /// `ctsync watch backfill NAME`: the registry's record history for every study of a watch.
    struct Backfill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch the registry's record history of every study of a watch (politely, as sync does).",
            discussion: "Sync the watch first: its studies are those in the local store. See `ctsync history --backfill`."
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The watch's name.") var name: String
        @Flag(help: "Print the summary as one JSON object.") var json = false
        @OptionGroup(title: "Backfill") var backfillOptions: FetchOptions

        func run() async throws {
            try await reportingErrors {
                let store = try global.openStore(mustExist: true)
                let ids = try store.studies(watch: name).compactMap { NCTID($0.nctId) }
                if ids.isEmpty, !global.quiet {
                    printError("watch '\(name)' has no studies in the store yet: run `ctsync sync` first")
                }
                let summary = try await backfillOptions.backfill(ids, store: store, global: global)
                if json {
                    try printJSON(summary, pretty: false)
                } else if !global.quiet || summary.failed > 0 || summary.outcome != .ok {
                    print(FetchOptions.line(summary))
                }
                try FetchOptions.finish(summary, json: json)
            }
        }
    }
}
