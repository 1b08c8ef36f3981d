import ArgumentParser
import CTSyncCore
import Foundation

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import studies from the registry's bulk archive, a directory, JSON files or legacy XML.",
        discussion: """
            PATH is the bulk archive ctg-studies.json.zip (entries NN/NCTxxxxxxxx.json, read as streams, never
            unzipped to disk), a directory of such files, a single JSON file (one study, an array of studies or a
            /studies page), or legacy XML (files, directories, AllPublicXML.zip). Studies become versions exactly
            as synced ones do (source: import); importing the same data again adds nothing. A bad entry is named
            on stderr and skipped; the exit code is then 4.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Zip archives, directories or files to import.") var paths: [String]
    @Flag(help: "Print the summary as one JSON object.") var json = false
    @Option(help: "Largest entry read, uncompressed, in MiB; larger ones are refused unread.") var maxEntryMib: Int = 16
    @Option(help: "Parse workers (default: one per core).") var workers: Int?
    @Option(help: "Seconds to wait for a sync or import holding this database.") var lockTimeout: Double = 60

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one zip, directory or file to import") }
        if maxEntryMib < 1 { throw ValidationError("--max-entry-mib must be at least 1") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    func run() async throws {
        try await reportingErrors {
            let path = try global.databasePath()
            let store = try Store(path: path)
            let lock = try SyncLock(databasePath: path, timeout: lockTimeout)
            defer { withExtendedLifetime(lock) {} }

            var sources: [any ImportSource] = []
            var unreadable: [String] = []
            for p in paths {
                do { sources.append(try ImportSources.open(p)) } catch { unreadable.append(error.localizedDescription) }
            }
            var options = ImportOptions()
            options.limits.maxEntryBytes = maxEntryMib << 20
            if let workers { options.workers = workers }
            let bar = ImportProgressBar(enabled: isTTY(2) && !global.quiet && !json)
            let quiet = global.quiet, asJSON = json
            let importer = Importer(store: store, options: options, onEvent: { event in
                switch event {
                case .progress(let p): bar.draw(p)
                case .failure(let message): if !asJSON { bar.above("error: \(message)") } else { _ = quiet }
                }
            })
            var summary = try importer.run(sources)
            bar.finish()
            for message in unreadable {
                summary.failed += 1
                summary.errors.insert(message, at: 0)
                if !json { printError("error: \(message)") }
            }
            report(summary)
            if summary.failed > 0 || summary.unsupported > 0 { throw Exit.someFailed }
        }
    }

    private func report(_ s: ImportSummary) {
        if json {
            try? printJSON(s, pretty: false)
            return
        }
        guard !global.quiet || s.failed > 0 || s.unsupported > 0 else { return }
        let rate = s.seconds > 0 ? Double(s.imported) / s.seconds : 0
        var line = "imported \(s.imported), new \(s.new), changed \(s.changed), unchanged \(s.unchanged), failed \(s.failed)"
        if s.unsupported > 0 { line += ", unsupported \(s.unsupported)" }
        line += String(format: " (%d entries, %.1f MB in %.1f s, %.0f studies/s)", s.entries, Double(s.bytes) / 1e6, s.seconds, rate)
        if global.quiet { printError(line) } else { print(line) }
    }
}
