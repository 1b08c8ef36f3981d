import ArgumentParser
import CTSyncCore
import Foundation

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export the normalized fields of stored studies, one row per study.",
        discussion: """
            CSV: RFC 4180 quoting, lists (conditions, phases, criteria, …) joined with " | ". JSON: one array;
            NDJSON: one object a line; lists stay lists. Rows are ordered by NCT id.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json, ndjson }

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only studies matching this search query.") var query: String?
    @OptionGroup(title: "Filters") var filters: SearchFilterOptions
    @Option(help: "csv, json or ndjson.") var format: Format
    @Option(help: "Write to this file instead of stdout.") var output: String?

    func validate() throws {
        if let query {
            do { _ = try SearchQuery(query) } catch { throw ValidationError("bad query: \(error.localizedDescription)") }
        }
    }

    func run() async throws {
        try await reportingErrors {
            let store = try global.openStore(mustExist: true)
            let sink: FileHandle
            var tmp: String?
            if let output {
                tmp = output + ".partial"
                guard FileManager.default.createFile(atPath: tmp!, contents: nil) else {
                    throw ValidationError("cannot write \(output)")
                }
                sink = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp!))
            } else {
                sink = FileHandle.standardOutput
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var buffer = Data()
            func emit(_ text: String) {
                buffer.append(contentsOf: text.utf8)
                if buffer.count > 1 << 16 { sink.write(buffer); buffer.removeAll(keepingCapacity: true) }
            }
            var count = 0
            if format == .csv { emit(CSV.line(ExportRow.csvHeader) + "\r\n") }
            if format == .json { emit("[") }
            try store.exportTrials(query: try query.map { try SearchQuery($0) }, filter: filters.filter) { trial in
                let row = ExportRow(trial)
                switch format {
                case .csv: emit(CSV.line(row.csvFields) + "\r\n")
                case .ndjson: emit(String(decoding: try encoder.encode(row), as: UTF8.self) + "\n")
                case .json: emit((count == 0 ? "\n" : ",\n") + String(decoding: try encoder.encode(row), as: UTF8.self))
                }
                count += 1
            }
            if format == .json { emit("\n]\n") }
            sink.write(buffer)
            if let output, let tmp {
                try sink.close()
                if FileManager.default.fileExists(atPath: output) { try FileManager.default.removeItem(atPath: output) }
                try FileManager.default.moveItem(atPath: tmp, toPath: output)
                if !global.quiet { printError("exported \(count) studies to \(output)") }
            }
        }
    }
}
