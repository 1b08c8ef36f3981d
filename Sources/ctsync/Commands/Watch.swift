import ArgumentParser
import CTSyncCore
import Foundation

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Saved queries that `ctsync sync` keeps up to date.",
        subcommands: [Add.self, ListWatches.self, Remove.self, Set.self, Status.self, Backfill.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Save a query under a name.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The watch's name.") var name: String
        @Option(help: "Conditions or disease (query.cond).") var cond: String?
        @Option(help: "Other terms (query.term).") var term: String?
        @Option(help: "Intervention or treatment (query.intr).") var intr: String?
        @Option(help: "Overall statuses, comma-separated.") var status: String?
        @Option(help: "Re-check this many of the watch's studies on every sync (see `sync --reconcile`).")
        var reconcileBudget: Int?

        func validate() throws {
            if let reconcileBudget, reconcileBudget < 0 { throw ValidationError("--reconcile-budget must be 0 or more") }
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
                if let reconcileBudget { try store.setReconcileBudget(watch: name, reconcileBudget == 0 ? nil : reconcileBudget) }
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

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a watch's settings.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The watch's name.") var name: String
        @Option(help: "Re-check this many of the watch's studies on every sync; 0 turns it off.")
        var reconcileBudget: Int

        func validate() throws {
            if reconcileBudget < 0 { throw ValidationError("--reconcile-budget must be 0 or more") }
        }

        func run() async throws {
            try await reportingErrors {
                try global.openStore(mustExist: true).setReconcileBudget(watch: name, reconcileBudget == 0 ? nil : reconcileBudget)
                if !global.quiet {
                    print(reconcileBudget == 0 ? "watch '\(name)': no reconciliation" : "watch '\(name)': re-checks \(reconcileBudget) studies a sync")
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "How well a watch is in step with the registry.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The watch's name.") var name: String
        @Flag(help: "Print the status as JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let s = try global.openStore(mustExist: true).status(ofWatch: name)
                if json {
                    try printJSON(s)
                    return
                }
                print("watch            \(s.name): \(s.query)")
                print("studies          \(s.studies)")
                print("last sync        \(s.lastSync ?? "never")")
                print("last full list   \(s.lastFullListing ?? "never")")
                print("oldest check     \(s.oldestLastChecked ?? "-")")
                print("reconcile        \(s.reconcileBudget.map { "\($0) studies a sync" } ?? "only with sync --reconcile")")
                print("left the watch   \(s.left.isEmpty ? "none" : s.left.joined(separator: " "))")
                print("removed          \(s.removed.isEmpty ? "none" : s.removed.joined(separator: " "))")
            }
        }
    }
}
