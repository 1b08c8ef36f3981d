import ArgumentParser
import CTSyncCore
import Foundation

/// `ctsync alert add|list|remove`: who is told about which changes, and how.
struct AlertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert",
        abstract: "Alerts: deliver a watch's changes by webhook, to an NDJSON file or to an Atom feed.",
        subcommands: [Add.self, ListAlerts.self, Remove.self]
    )

    static let categories = Change.Category.allCases.map(\.rawValue) + ["any"]

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an alert on a watch.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The alert's name.") var name: String
        @Option(help: "The watch whose studies it follows.") var watch: String
        @Option(help: "What to deliver: \(AlertCommand.categories.joined(separator: ",")) (default any).")
        var on: String = "any"
        @Option(help: "POST each change as JSON to this URL.") var webhook: String?
        @Option(help: "Append each change as a JSON line to this file.") var ndjson: String?
        @Option(help: "Keep an Atom feed of the changes in this file.") var atom: String?

        var categories: [String] {
            on.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        }

        func validate() throws {
            let targets = [webhook, ndjson, atom].compactMap { $0 }
            guard targets.count == 1 else { throw ValidationError("give exactly one of --webhook URL, --ndjson FILE, --atom FILE") }
            for c in categories where !AlertCommand.categories.contains(c) {
                throw ValidationError("unknown --on value '\(c)'; one of: \(AlertCommand.categories.joined(separator: ","))")
            }
            if categories.isEmpty { throw ValidationError("--on needs at least one value") }
            if let webhook, !(webhook.hasPrefix("http://") || webhook.hasPrefix("https://")) {
                throw ValidationError("--webhook takes an http:// or https:// URL")
            }
        }

        func run() async throws {
            try await reportingErrors {
                let store = try global.openStore(mustExist: true)
                let channel: Alert.Channel = webhook != nil ? .webhook : ndjson != nil ? .ndjson : .atom
                var target = webhook ?? ndjson ?? atom!
                if channel != .webhook {
                    target = URL(fileURLWithPath: (target as NSString).expandingTildeInPath).standardizedFileURL.path
                }
                let alert = Alert(name: name, watch: watch, on: categories, channel: channel, target: target,
                                  createdAt: Date().formatted(.iso8601))
                try store.addAlert(alert)
                if !global.quiet { print("alert '\(name)' on watch '\(watch)': \(categories.joined(separator: ",")) → \(channel.rawValue) \(target)") }
            }
        }
    }

    struct ListAlerts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the alerts.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print the alerts as JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let alerts = try global.openStore(mustExist: true).alerts()
                if json { return try printJSON(alerts) }
                for a in alerts {
                    print("\(a.name)\twatch \(a.watch)\ton \(a.on.joined(separator: ","))\t\(a.channel.rawValue) \(a.target)")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an alert (and what it had pending).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The alert's name.") var name: String

        func run() async throws {
            try await reportingErrors {
                try global.openStore(mustExist: true).removeAlert(name: name)
                if !global.quiet { print("alert '\(name)' removed") }
            }
        }
    }
}

/// `ctsync alerts deliver|pending`: the outbox.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Deliver waiting alerts, or list them.",
        subcommands: [Deliver.self, Pending.self]
    )

    struct Deliver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver the alerts that are due (without syncing).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Retry every waiting delivery now, ignoring the backoff.") var now = false
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let store = try global.openStore(mustExist: true)
                let report = try await deliverAlerts(store, ignoringBackoff: now)
                if json {
                    try printJSON(report, pretty: false)
                } else if !global.quiet || report.failed > 0 {
                    let line = "delivered \(report.delivered), failed \(report.failed), pending \(report.pending)"
                    if global.quiet { printError(line) } else { print(line) }
                }
                for e in report.errors { printError("error: \(e)") }
                if report.failed > 0 { throw Exit.deliveryFailed }
            }
        }
    }

    struct Pending: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the deliveries that wait, with their last error.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print them as JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let pending = try global.openStore(mustExist: true).pending()
                if json { return try printJSON(pending) }
                for p in pending {
                    print("\(p.alert)\t\(p.nctId)\t\(p.text)\tattempts \(p.attempts)\tnext \(p.nextAttemptAt ?? "now")\t\(p.lastError ?? "")")
                }
                if !global.quiet { printError("\(pending.count) pending") }
            }
        }
    }
}

/// Delivers the outbox with a libcurl transport for webhooks (10 s per request).
func deliverAlerts(_ store: Store, ignoringBackoff: Bool) async throws -> DeliveryReport {
    var options = CurlOptions()
    options.totalTimeout = 10
    options.connectTimeout = 5
    return try await AlertDeliverer(store: store, transport: .curl(options)).deliver(ignoringBackoff: ignoringBackoff)
}
