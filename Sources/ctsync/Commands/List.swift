import ArgumentParser
import CTSyncCore
import Foundation

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the studies in the local store.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only studies with these overall statuses, comma-separated.") var status: String?
    @Option(help: "Only the studies of this watch.") var watch: String?
    @Flag(help: "Print the studies as JSON.") var json = false

    func validate() throws {
        if let status { _ = try Statuses.parse(status) }
    }

    func run() async throws {
        try await reportingErrors {
            let store = try global.openStore(mustExist: true)
            let rows = try store.studies(statuses: try status.map(Statuses.parse) ?? [], watch: watch)
            if json {
                try printJSON(rows)
                return
            }
            for r in rows {
                let status = (r.overallStatus ?? "-").padding(toLength: 24, withPad: " ", startingAt: 0)
                print("\(r.nctId)  \(status)v\(r.latestVersion)  \(r.briefTitle ?? "")")
            }
            if !global.quiet { printError("\(rows.count) studies") }
        }
    }
}
