import CTSyncCore
import Foundation
import GRDB

// ctsync-bench: throughput figures, not tests. Run in release:
//
//   swift build -c release --product ctsync-bench
//   .build/release/ctsync-bench normalize [--records DIR] [--rounds 5] [--repeat 3]
//
// `normalize` loads every real record into memory once, then times, per round: JSONParser.parse of the v2 files
// alone (the baseline), parse + Trial(v2:) of every study in them, Trial(v2:) alone on already parsed studies, and
// LegacyXML.parse of every XML file. It prints the median of the rounds in records per second.

/// Command-line options.
struct Options {
    var command = ""
    var records: URL?
    var rounds = 5
    var repeats = 3

    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var rest = arguments[...]
        guard let command = rest.popFirst() else { return nil }
        options.command = command
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { return nil }
            switch flag {
            case "--records": options.records = URL(fileURLWithPath: value)
            case "--rounds": guard let n = Int(value), n > 0 else { return nil }; options.rounds = n
            case "--repeat": guard let n = Int(value), n > 0 else { return nil }; options.repeats = n
            default: return nil
            }
        }
        return options
    }
}

/// The records directory: `--records`, `$CTSYNC_RECORDS`, else `../shared/ctgov/records` beside the package.
func recordsDirectory(_ options: Options) -> URL {
    if let url = options.records { return url }
    if let env = ProcessInfo.processInfo.environment["CTSYNC_RECORDS"], !env.isEmpty { return URL(fileURLWithPath: env) }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/ctgov/records")
}

/// The contents of every file under `folders` whose name ends in `suffix`.
func load(_ directory: URL, _ folders: [String], _ suffix: String) -> [Data] {
    var out: [Data] = []
    for folder in folders {
        let base = directory.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
        for case let path as String in walker where path.hasSuffix(suffix) {
            if let data = FileManager.default.contents(atPath: base.appendingPathComponent(path).path) { out.append(data) }
        }
    }
    return out
}

/// The study objects in a v2 file: the file itself, an array's elements, or a page's `studies`.
func studies(in json: JSONValue) -> [JSONValue] {
    switch json {
    case .array(let items): return items
    case .object where json["studies"] != nil: return json["studies"]?.arrayValue ?? []
    case .object where json["protocolSection"] != nil: return [json]
    default: return []
    }
}

/// The study objects of a v2 file as the bulk archive holds them: one compact text each, members in the order the
/// registry wrote them (the file's white space outside strings dropped, then the file itself, an array's elements
/// or a page's `studies` cut apart).
func studyTexts(in data: Data) -> [Data] {
    let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    var compact: [UInt8] = []
    var inString = false, escaped = false
    for b in data {
        if inString {
            compact.append(b)
            if escaped { escaped = false } else if b == backslash { escaped = true } else if b == quote { inString = false }
        } else if b == quote {
            inString = true
            compact.append(b)
        } else if b != 0x20, b != 0x0A, b != 0x0D, b != 0x09 {
            compact.append(b)
        }
    }
    guard let json = try? JSONParser.parse(Data(compact)) else { return [] }
    if case .object = json, json["protocolSection"] != nil { return [Data(compact)] }
    // The elements of the array that opens at `open`, at the depth inside it.
    func elements(from open: Int) -> [Data] {
        var out: [Data] = []
        var depth = 0, start = open + 1, i = open
        var inString = false, escaped = false
        while i < compact.count {
            let b = compact[i]
            if inString {
                if escaped { escaped = false } else if b == backslash { escaped = true } else if b == quote { inString = false }
            } else if b == quote {
                inString = true
            } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                depth += 1
            } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 {
                    if i > start { out.append(Data(compact[start..<i])) }
                    return out
                }
            } else if b == UInt8(ascii: ","), depth == 1 {
                out.append(Data(compact[start..<i]))
                start = i + 1
            }
            i += 1
        }
        return out
    }
    if case .array = json { return elements(from: 0) }
    let key = Array(#""studies":["#.utf8)
    guard compact.count >= key.count,
          let at = (0...(compact.count - key.count)).first(where: { compact[$0..<($0 + key.count)].elementsEqual(key) })
    else { return [] }
    return elements(from: at + key.count - 1)
}

/// A benchmark that cannot run as asked.
struct BenchError: Error, LocalizedError {
    let errorDescription: String?
    init(_ message: String) { errorDescription = message }
}

/// Runs `body` `rounds` times and returns the median duration in seconds.
func median(rounds: Int, _ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    var seconds: [Double] = []
    for _ in 0..<rounds {
        let d = try clock.measure(body)
        seconds.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
    seconds.sort()
    return seconds[seconds.count / 2]
}

func format(_ rate: Double) -> String { String(format: "%10.0f", rate) }

/// A table of timings: each row's rate per second and microseconds per item, for `items` items.
func printRates(_ units: String, per unit: String, _ rows: [(name: String, seconds: Double)], items: Double) {
    let width = rows.map(\.name.count).max() ?? 0
    print("")
    print(String(repeating: " ", count: width) + "\(units)/s".leftPadded(to: 14) + "µs/\(unit)".leftPadded(to: 12))
    for row in rows {
        let name = row.name.padding(toLength: width, withPad: " ", startingAt: 0)
        print(name + "  " + format(items / row.seconds).leftPadded(to: 12)
              + String(format: "%.1f", row.seconds / items * 1e6).leftPadded(to: 12))
    }
    print("")
}

/// Consecutive ranges of `0..<count`, `size` at a time (an import's transactions).
func batches(of size: Int, in count: Int) -> [Range<Int>] {
    stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

func normalize(_ options: Options) throws {
    let directory = recordsDirectory(options)
    // v2 files that hold at least one study (the retired classic-API file holds none).
    let v2Files = try load(directory, ["v2", "pages", "history"], ".json").filter {
        !studies(in: try JSONParser.parse($0)).isEmpty
    }
    let parsed = try v2Files.flatMap { studies(in: try JSONParser.parse($0)) }
    let xmlFiles = load(directory, ["legacy-xml", "history"], ".xml")
    let v2Bytes = v2Files.reduce(0) { $0 + $1.count }
    let xmlBytes = xmlFiles.reduce(0) { $0 + $1.count }
    let repeats = options.repeats
    print("records: \(directory.path)")
    print("v2: \(parsed.count) studies in \(v2Files.count) files (\(v2Bytes / 1024) KiB); "
          + "legacy XML: \(xmlFiles.count) files (\(xmlBytes / 1024) KiB)")
    print("median of \(options.rounds) rounds, each over every record \(repeats) time\(repeats == 1 ? "" : "s")")

    var checksum = 0
    let parseOnly = try median(rounds: options.rounds) {
        for _ in 0..<repeats {
            for data in v2Files { checksum &+= studies(in: try JSONParser.parse(data)).count }
        }
    }
    let parseAndNormalize = try median(rounds: options.rounds) {
        for _ in 0..<repeats {
            for data in v2Files {
                for study in studies(in: try JSONParser.parse(data)) { checksum &+= try Trial(v2: study).locations.count }
            }
        }
    }
    let normalizeOnly = try median(rounds: options.rounds) {
        for _ in 0..<repeats {
            for study in parsed { checksum &+= try Trial(v2: study).locations.count }
        }
    }
    let criteria = parsed.compactMap { $0[path: "protocolSection.eligibilityModule.eligibilityCriteria"]?.stringValue }
    let split = median(rounds: options.rounds) {
        for _ in 0..<repeats {
            for text in criteria { checksum &+= CriteriaSplitter.split(text).inclusion.count }
        }
    }
    let xml = try median(rounds: options.rounds) {
        for _ in 0..<repeats {
            for data in xmlFiles { checksum &+= try LegacyXML.parse(data).locations.count }
        }
    }

    let v2Count = Double(parsed.count * repeats)
    let xmlCount = Double(xmlFiles.count * repeats)
    print("")
    print("                                        records/s      MB/s")
    print("v2  JSONParser.parse only (baseline)   \(format(v2Count / parseOnly))  \(String(format: "%8.1f", Double(v2Bytes * repeats) / parseOnly / 1e6))")
    print("v2  parse + Trial(v2:)                 \(format(v2Count / parseAndNormalize))  \(String(format: "%8.1f", Double(v2Bytes * repeats) / parseAndNormalize / 1e6))")
    print("v2  Trial(v2:) on parsed studies       \(format(v2Count / normalizeOnly))")
    print("v2  of which CriteriaSplitter.split    \(format(Double(criteria.count * repeats) / split))"
          + String(format: "            (%.0f%% of Trial(v2:))", 100 * split / normalizeOnly))
    print("XML LegacyXML.parse (libxml2 + map)    \(format(xmlCount / xml))  \(String(format: "%8.1f", Double(xmlBytes * repeats) / xml / 1e6))")
    print("")
    print(String(format: "parse + normalize takes %.2f× the time of parsing alone", parseAndNormalize / parseOnly))
    print("(checksum \(checksum))")
}

/// The import workers' work per study, single-threaded, on every real v2 study as the bulk archive holds it (one
/// compact text per study, `studyTexts`): parsing alone (the baseline), the canonical JSON of parsed studies alone,
/// parsing and `Importer.prepare` on the whole tree, and `Importer.prepare(studiesIn:)`, what a worker does with an
/// entry (the tape: canonical JSON, hash, compression, normalization and search document, building only what is
/// read).
func prepare(_ options: Options) throws {
    let directory = recordsDirectory(options)
    let texts = load(directory, ["v2", "pages"], ".json").flatMap(studyTexts)
    let bytes = texts.reduce(0) { $0 + $1.count }
    let repeats = options.repeats
    print("records: \(directory.path)")
    print("v2: \(texts.count) studies, one compact text each (\(bytes / 1024) KiB)")
    print("median of \(options.rounds) rounds, each over every record \(repeats) time\(repeats == 1 ? "" : "s")")
    let left = texts.filter { Importer.prepare(studiesIn: $0)?.count != 1 }.count
    if left > 0 { print("\(left) of \(texts.count) studies were left to the tree") }
    var checksum = 0
    let plain = try median(rounds: options.rounds) {
        for _ in 0..<repeats {
            for text in texts { checksum &+= studies(in: try JSONParser.parse(text)).count }
        }
    }
    let parsed = try texts.map { try JSONParser.parse($0) }
    let canonical = median(rounds: options.rounds) {
        for _ in 0..<repeats {
            for study in parsed { checksum &+= study.canonicalData().count }
        }
    }
    let tree = try median(rounds: options.rounds) {
        for _ in 0..<repeats {
            for text in texts { checksum &+= try Importer.prepare(JSONParser.parse(text)).rawSize }
        }
    }
    let tape = median(rounds: options.rounds) {
        for _ in 0..<repeats {
            for text in texts { checksum &+= Importer.prepare(studiesIn: text)?.first?.rawSize ?? 0 }
        }
    }
    let rows = [("JSONParser.parse (baseline)", plain), ("canonical JSON of parsed studies", canonical),
                ("parse + Importer.prepare(tree)", tree), ("Importer.prepare(studiesIn:) (a worker)", tape)]
    printRates("records", per: "record", rows, items: Double(texts.count * repeats))
    print(String(format: "a worker's work takes %.2f× the time of parsing alone, %.2f× that of the whole tree's",
                 tape / plain, tape / tree))
    print("(checksum \(checksum))")
}

/// The import's single writer alone: `--repeat` × 1,000 distinct studies (clones of the real v2 records with new
/// ids, prepared ahead as the workers prepare them) stored into a new database file as an import stores them
/// (`withBulkLoad`, 4,000 per transaction, each record handed over as the importer hands them), against writing the
/// same compressed bodies into a plain table.
func write(_ options: Options) throws {
    let directory = recordsDirectory(options)
    let v2Files = load(directory, ["v2", "pages"], ".json")
    var originals: [JSONValue] = []
    for data in v2Files {
        let parsed = studies(in: try JSONParser.parse(data))
        originals += parsed.filter { $0[path: "protocolSection.identificationModule.nctId"] != nil }
    }
    let count = 1_000 * options.repeats
    var prepared: [PreparedRecord] = []
    prepared.reserveCapacity(count)
    for i in 0..<count {
        let id = String(format: "NCT9%07d", i)
        let clone = originals[i % originals.count]
            .setting(path: "protocolSection.identificationModule.nctId", to: .string(id))
        prepared.append(try Importer.prepare(clone))
    }
    print("records: \(directory.path)")
    print("\(count) studies prepared from \(originals.count) real ones; median of \(options.rounds) rounds")
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("ctsync-bench-write-\(getpid())")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: work) }
    var round = 0
    func fresh() throws -> Store {
        round += 1
        return try Store(path: work.appendingPathComponent("db-\(round).sqlite").path)
    }
    let store = try median(rounds: options.rounds) {
        let s = try fresh()
        try s.withBulkLoad {
            for batch in batches(of: 4_000, in: prepared.count) {
                var records = prepared[batch].makeIterator()
                _ = try s.record(pulling: { records.next() }, source: .import)
            }
        }
    }
    let plain = try median(rounds: options.rounds) {
        round += 1
        let queue = try DatabaseQueue(path: work.appendingPathComponent("plain-\(round).sqlite").path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.execute(sql: "CREATE TABLE bodies (nct_id TEXT PRIMARY KEY, raw BLOB NOT NULL)")
        }
        for batch in batches(of: 4_000, in: prepared.count) {
            try queue.write { db in
                let insert = try db.cachedStatement(sql: "INSERT INTO bodies (nct_id, raw) VALUES (?, ?)")
                for p in prepared[batch] { try insert.execute(arguments: [p.nctId.rawValue, p.compressed]) }
            }
        }
    }
    printRates("studies", per: "study", [("bodies alone into one table (baseline)", plain),
                                         ("Store.record(pulling:), as an import", store)], items: Double(count))
    print(String(format: "the writer's full work takes %.2f× the time of writing the bodies alone", store / plain))
}

let usage = """
    usage: ctsync-bench normalize|prepare|write|criteria|diff|sync [--records DIR] [--rounds N] [--repeat N]
      normalize  normalizing every real record (v2 JSON and legacy XML), records per second
      prepare    an import worker's work on every real v2 record, single-threaded, records per second
      write      the import's writer alone: N × 1,000 prepared studies stored into a new file, studies per second
      criteria   CriteriaSplitter.split alone over every distinct real criteria text, texts per second
      diff       the semantic differ over every real pair of versions and a derived pair per study, diffs per second
      sync       a 325-study watch synced from a loopback registry, then re-synced: requests, time, bytes per version
      Figures are medians of N rounds (default 5), each with its baseline measured in the same run.
    """

guard let options = Options.parse(Array(CommandLine.arguments.dropFirst())),
      ["normalize", "prepare", "write", "criteria", "diff", "sync"].contains(options.command) else {
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(64)
}
do {
    switch options.command {
    case "normalize": try normalize(options)
    case "prepare": try prepare(options)
    case "write": try write(options)
    case "criteria": try runCriteriaBenchmark(records: recordsDirectory(options), rounds: options.rounds,
                                              repeats: options.repeats)
    case "diff": try runDiffBenchmark(records: recordsDirectory(options), rounds: options.rounds)
    default: try await runSyncBenchmark(records: recordsDirectory(options), rounds: options.rounds)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error.localizedDescription)\n".utf8))
    exit(1)
}
