import ArgumentParser
import CTSyncCore
import Foundation

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Saved queries that `ctsync sync` keeps up to date.",
        subcommands: [Add.self, ListWatches.self, Remove.self, Backfill.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Save a query under a name.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The watch's name.") var name: String
        @Option(help: "Conditions or disease (query.cond).") var cond: String?
        @Option(help: "Other terms (query.term).") var term: String?
        @Option(help: "Intervention or treatment (query.intr).") var intr: String?
        @Option(help: "Overall statuses, comma-separated.") var status: String?

        func validate() throws {
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("a watch needs a name") }
            guard cond != nil || term != nil || intr != nil || status != nil else {
                throw ValidationError("a watch needs a query: --cond, --term, --intr or --status")
            }
            if let status { _ = try Statuses.parse(status) }
        }

        func run() async throws {
            try await reportingErrors {
                let store = try global.openStore()
                let query = StudyQuery(cond: cond, term: term, intr: intr, statuses: try status.map(Statuses.parse) ?? [])
                try store.addWatch(name: name, query: query)
                if !global.quiet { print("watch '\(name)' added: \(query.summary)") }
            }
        }
    }

    struct ListWatches: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the watches.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print the watches as JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let watches = try global.openStore(mustExist: true).watches()
                if json {
                    try printJSON(watches)
                    return
                }
                for w in watches {
                    print("\(w.name)\t\(w.query.summary)\t\(w.studyCount) studies\tcursor \(w.cursor ?? "-")\tlast sync \(w.lastSyncAt ?? "never")")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a watch (its studies stay in the store).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The watch's name.") var name: String

        func run() async throws {
            try await reportingErrors {
                try global.openStore(mustExist: true).removeWatch(name: name)
                if !global.quiet { print("watch '\(name)' removed") }
            }
        }
    }
}
