import Foundation

/// Imports studies from zips, directories and files into the store: parse on every core, one writer.
///
/// A bounded pipeline: one reader thread walks the sources and reads entries (never to disk); `workers` threads
/// check, read and prepare them (CRC-32, JSON tape, `StudyRecord`, canonical JSON, compression); the calling
/// thread writes them as they come, `batchSize` studies per transaction, through `Store.record(pulling:)` —
/// the same version logic as sync, with `source: .import`. The queues between the stages are bounded in entries
/// and bytes, so memory stays flat however large the archive is. A bad entry is reported and skipped; it never
/// stops the others.
public final class Importer: Sendable {
    private let store: Store
    private let options: ImportOptions
    private let now: @Sendable () -> Date
    private let onEvent: @Sendable (ImportEvent) -> Void

    public init(store: Store, options: ImportOptions = ImportOptions(), now: @escaping @Sendable () -> Date = Date.init,
                onEvent: @escaping @Sendable (ImportEvent) -> Void = { _ in }) {
        self.store = store
        self.options = options
        self.now = now
        self.onEvent = onEvent
    }

    /// Unsupported legacy XML entries named one by one; the rest are counted in one line.
    public static let unsupportedListed = 5

    /// What a worker made of one entry.
    private struct Parsed: Sendable {
        var records: [PreparedRecord] = []
        var failures: [String] = []
        var unsupported: [String] = []
        var bytes = 0
        var isEntry = true
        /// The entry's place in the input: the writer stores in this order, so versions of one study read from
        /// several files keep the order of the files.
        var sequence = 0
    }

    /// Imports every source in turn and returns the summary. Throws only when the store fails (the batches
    /// committed before stay committed); unreadable sources and bad entries are counted and reported.
    public func run(_ sources: [any ImportSource]) throws -> ImportSummary {
        try store.withBulkLoad { try load(sources) }
    }

    private func load(_ sources: [any ImportSource]) throws -> ImportSummary {
        let started = Date()
        let workers = max(1, options.workers)
        // The results queue holds about a batch: while the writer commits one batch the workers keep preparing
        // the next one instead of stopping after a handful (a short queue serialized the two stages and left a
        // core idle). A longer queue gains nothing once the writer is the slower stage, and costs memory. Both
        // queues are bounded in bytes too (a prepared record weighs what it holds), so memory stays flat.
        let entries = BoundedQueue<(Int, ImportItem)>(maxCount: workers * 16, maxWeight: 64 << 20)
        let results = BoundedQueue<Parsed>(maxCount: options.batchSize + workers * 16, maxWeight: 64 << 20)
        let total = TotalBox()
        let limits = options.limits
        let xml = options.xmlImporter

        // Reader: sources → entries.
        let reader = Thread {
            var known = 0
            var allKnown = true
            var sequence = 0
            for source in sources {
                if let n = source.estimatedEntries() { known += n } else { allKnown = false }
            }
            total.set(allKnown ? known : nil)
            for source in sources {
                do {
                    var open = true
                    try source.forEach(limits: limits) { item in
                        let weight: Int
                        if case .entry(let e) = item { weight = e.bytes.count } else { weight = 1 }
                        open = entries.push((sequence, item), weight: weight)
                        sequence += 1
                        return open
                    }
                    if !open { break }
                } catch {
                    let message = (error as? LocalizedError)?.errorDescription ?? "\(source.name): \(error)"
                    if !entries.push((sequence, .refused(name: "", reason: message))) { break }
                    sequence += 1
                }
            }
            entries.close()
        }
        reader.stackSize = 1 << 20
        reader.start()

        // Workers: entries → parsed records.
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            let worker = Thread {
                Importer.yieldToWriter()
                while let (sequence, item) = entries.pop() {
                    var parsed = Importer.process(item, xml: xml)
                    parsed.sequence = sequence
                    let weight = parsed.records.reduce(64) { $0 + $1.approximateBytes }
                    if !results.push(parsed, weight: weight) { break }
                }
                group.leave()
            }
            worker.stackSize = 4 << 20  // the JSON parser recurses up to 512 levels
            #if !os(Linux)
            worker.qualityOfService = .utility  // below the writer, as `yieldToWriter` does on Linux
            #endif
            worker.start()
        }
        let closer = Thread {
            group.wait()
            results.close()
        }
        closer.start()

        // Writer: this thread. Each transaction takes up to `batchSize` studies and writes each one as soon as it
        // is in: writing keeps pace with the workers, and when they are done only the last few remain to write.
        var summary = ImportSummary()
        var lastProgress = Date.distantPast
        var inTransaction = 0
        func progress(force: Bool = false) {
            let t = Date()
            guard force || t.timeIntervalSince(lastProgress) >= 0.25 else { return }
            lastProgress = t
            onEvent(.progress(ImportProgress(entriesDone: summary.entries, entriesTotal: total.get(),
                                             studies: summary.imported + inTransaction, bytes: summary.bytes,
                                             elapsed: t.timeIntervalSince(started))))
        }
        func account(_ parsed: Parsed) {
            if parsed.isEntry { summary.entries += 1 }
            summary.bytes += parsed.bytes
            for message in parsed.failures {
                summary.failed += 1
                summary.note(message)
                onEvent(.failure(message))
            }
            for message in parsed.unsupported {
                // One line for the first few; the rest are summed up at the end (an AllPublicXML.zip has
                // hundreds of thousands).
                summary.unsupported += 1
                if summary.unsupported <= Importer.unsupportedListed {
                    summary.note(message)
                    onEvent(.failure(message))
                }
            }
        }
        do {
            // Results arrive in the order workers finish; they are written in input order.
            var waiting: [Int: Parsed] = [:]
            var next = 0
            func inOrder() -> Parsed? {
                while waiting[next] == nil {
                    guard let parsed = results.pop() else { return nil }
                    waiting[parsed.sequence] = parsed
                }
                defer { next += 1 }
                return waiting.removeValue(forKey: next)
            }
            var records: [PreparedRecord] = []
            var taken = 0
            var exhausted = false
            func nextRecord() -> PreparedRecord? {
                guard inTransaction < options.batchSize else { return nil }
                while taken == records.count {
                    guard let parsed = inOrder() else {
                        exhausted = true
                        return nil
                    }
                    account(parsed)
                    records = parsed.records
                    taken = 0
                    progress()
                }
                defer {
                    taken += 1
                    inTransaction += 1
                }
                return records[taken]
            }
            while !exhausted {
                inTransaction = 0
                let outcomes = try store.record(pulling: nextRecord, source: .import, fetchedAt: now())
                inTransaction = 0
                for outcome in outcomes {
                    switch outcome {
                    case .new: summary.new += 1
                    case .changed: summary.changed += 1
                    case .unchanged: summary.unchanged += 1
                    }
                }
                summary.imported += outcomes.count
            }
        } catch {
            entries.close()
            results.close()
            throw error
        }
        if summary.unsupported > Importer.unsupportedListed {
            let message = "\(summary.unsupported - Importer.unsupportedListed) more legacy XML entries: skipped"
            summary.note(message)
            onEvent(.failure(message))
        }
        summary.seconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
        progress(force: true)
        return summary
    }

    /// How much lower than the writer's the worker threads' priority is: their nice value goes up by this much
    /// (to at most 19; the reader and the writer keep the process's own).
    ///
    /// The writer is the one stage that cannot be spread over cores, and at equal priority it waited for a core
    /// while the workers ran (600,000 studies on two cores: 55 of the import's 214 seconds), then the workers
    /// stopped on a full queue (50 seconds each) and left a core idle. With the workers below it the writer runs
    /// whenever it has work and the workers take every other moment: the same import took 175 seconds at 10 lower
    /// and 170 at 19 lower (docs/benchmarks-import.md). 10 rather than 19: other programs on the machine still
    /// leave the workers a share. Lowering a thread's own priority needs no privilege.
    static let workerNice: Int32 = 10

    /// Lowers the calling thread's priority by `workerNice`, relative to what it has (an import run under `nice`
    /// keeps its workers below its writer). Elsewhere than on Linux the workers are started at the utility quality
    /// of service instead (a thread's quality of service is read-only once it runs).
    static func yieldToWriter() {
        #if os(Linux)
        // On Linux the nice value is the thread's own, and `who` 0 names the calling thread.
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        let current = getpriority(which, 0)
        _ = setpriority(which, 0, min(19, current + workerNice))
        #endif
    }

    /// Checks, parses and prepares one entry. Pure: runs on any worker.
    private static func process(_ item: ImportItem, xml: XMLImporter?) -> Parsed {
        var out = Parsed()
        switch item {
        case .skipped:
            out.isEntry = false
            return out
        case .refused(let name, let reason):
            out.failures.append(name.isEmpty ? reason : "\(name): \(reason)")
            out.isEntry = !name.isEmpty
            return out
        case .entry(let entry):
            out.bytes = entry.bytes.count
            if let crc = entry.expectedCRC, Deflate.crc32(entry.bytes) != crc {
                out.failures.append("\(entry.name): CRC-32 mismatch: the entry is corrupt")
                return out
            }
            switch entry.kind {
            case .v2JSON: parseJSON(entry, into: &out)
            case .legacyXML: parseXML(entry, xml: xml, into: &out)
            case nil: out.failures.append("\(entry.name): not a JSON study nor legacy XML (\(describeStart(entry.bytes)))")
            }
            return out
        }
    }

    private static func parseJSON(_ entry: ImportEntry, into out: inout Parsed) {
        // Through the tape, building only what is stored of each study.
        if let prepared = prepare(studiesIn: entry.bytes) {
            out.records += prepared
            return
        }
        // What the tape leaves to the tree or finds wrong: parsed whole, each error named.
        let document: JSONValue
        do {
            document = try JSONParser.parse(entry.bytes)
        } catch {
            out.failures.append("\(entry.name): not valid JSON: \(error.localizedDescription)")
            return
        }
        let studies: [JSONValue]
        let plural: Bool
        if let array = document.arrayValue {
            studies = array
            plural = true
        } else if let page = document["studies"]?.arrayValue, document["protocolSection"] == nil {
            studies = page
            plural = true
        } else {
            studies = [document]
            plural = false
        }
        for (n, study) in studies.enumerated() {
            do {
                out.records.append(try prepare(study))
            } catch {
                let which = plural ? "study #\(n + 1): " : ""
                out.failures.append("\(entry.name): \(which)\(error.localizedDescription)")
            }
        }
    }

    private static func parseXML(_ entry: ImportEntry, xml: XMLImporter?, into out: inout Parsed) {
        if let problem = LegacyXML.prologProblem(entry.bytes) {
            out.failures.append("\(entry.name): refused: \(problem); not parsed")
            return
        }
        guard let xml else {
            out.unsupported.append("\(entry.name): legacy XML: skipped (no XML reader configured)")
            return
        }
        do {
            for record in try xml.read(entry.name, entry.bytes) {
                out.records.append(try PreparedRecord(record))
            }
        } catch {
            out.failures.append("\(entry.name): \(error.localizedDescription)")
        }
    }

    /// Builds the record and its stored form from one study object: what a worker does with each study.
    public static func prepare(_ study: JSONValue) throws -> PreparedRecord {
        let (record, canonical) = try StudyRecord.withCanonicalForm(study)
        return try PreparedRecord(record, canonical: canonical)
    }

    /// What a worker does with a JSON entry: the studies in it (the entry itself, an array's elements or a page's
    /// `studies`, as `parseJSON` finds them), read through a tape, each the same record as `prepare(_:)` makes of
    /// it from the whole parsed tree. nil when the entry is not JSON, when any of its studies is wrong, or has
    /// anything else the tape leaves to the tree (`JSONTape`): the tree then names what is wrong.
    public static func prepare(studiesIn data: Data) -> [PreparedRecord]? {
        data.withUnsafeBytes { raw -> [PreparedRecord]? in
            guard let tape = JSONTape(raw.bindMemory(to: UInt8.self)) else { return nil }
            let studies: [Int]
            if tape.root.kind == .array {
                studies = tape.elements(of: 0)
            } else if let page = tape.member("studies", of: 0), tape.tokens[page].kind == .array,
                      tape.member("protocolSection", of: 0) == nil {
                studies = tape.elements(of: page)
            } else {
                studies = [0]
            }
            var out: [PreparedRecord] = []
            out.reserveCapacity(studies.count)
            for study in studies {
                guard let (record, canonical) = StudyRecord.withCanonicalForm(of: tape, at: study,
                                                                              selecting: PreparedRecord.reads),
                      let prepared = try? PreparedRecord(record, canonical: canonical) else { return nil }
                out.append(prepared)
            }
            return out
        }
    }

    private static func describeStart(_ data: Data) -> String {
        if data.isEmpty { return "the entry is empty" }
        let head = data.prefix(16).map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "." }.joined()
        return "it starts with \"\(head)\""
    }
}

/// The total entry count, set by the reader once the sources are sized and read by the writer.
private final class TotalBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int?
    func set(_ v: Int?) { lock.withLock { value = v } }
    func get() -> Int? { lock.withLock { value } }
}
