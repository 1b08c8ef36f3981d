import CTSyncCore
import CTSyncFakeRegistry
import Foundation

// ctsync-search-bench: search and `similar` latency on a synthetic store, with a LIKE-scan baseline.
//
// Sizes default to 10000 100000.
//
// The generator clones the real v2 records (found by `RecordsLocation.records`, as the tests find them) round-robin, giving
// clone i the NCT id NCT8xxxxxxx (80000000 + i) and perturbing its text deterministically: the brief title gets two
// words drawn from the pooled title vocabulary of the real records plus a clone word "kw<i mod 997>", and the
// brief summary is prefixed with eight pooled summary words. Conditions, MeSH terms, interventions and design stay
// those of the source record, so every `similar` target has ~SIZE/25 candidates sharing its conditions (a hard case:
// far denser than the real registry). Each store is written through `Store.record(prepared:)` in batches of 1000
// (records prepared on every core, as `ctsync import` does) into a temporary file, then measured and deleted; with
// `--dir DIR` it is kept as DIR/bench-SIZE.sqlite and reused by later runs (pending migrations run when it is opened).
//
// Usage: ctsync-search-bench [--dir DIR] [SIZE ...]

/// A deterministic generator (SplitMix64), so runs compare.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func words(_ text: String?) -> [String] {
    (text ?? "").split(whereSeparator: { !$0.isLetter }).map(String.init).filter { $0.count > 3 }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let s = values.sorted()
    return s[min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))]
}

func ms(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }

func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Prints a line unbuffered, so a run's progress shows in a log file as it happens.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// Arguments: sizes, and `--dir DIR` to keep each store as DIR/bench-SIZE.sqlite and reuse it on the next run.
var arguments = Array(CommandLine.arguments.dropFirst())
var keepDir: String?
if let i = arguments.firstIndex(of: "--dir"), i + 1 < arguments.count {
    keepDir = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
}
let sizes = arguments.compactMap { Int($0) }
let runSizes = sizes.isEmpty ? [10_000, 100_000] : sizes
let originals = try FakeRegistry.loadStudies(from: RecordsLocation.records).filter { (try? StudyRecord(json: $0)) != nil }
let titleWords = originals.flatMap { words($0[path: "protocolSection.identificationModule.briefTitle"]?.stringValue) }
let summaryWords = originals.flatMap { words($0[path: "protocolSection.descriptionModule.briefSummary"]?.stringValue) }
say("source records: \(originals.count); title vocabulary \(titleWords.count) words; summary \(summaryWords.count)")

let queries = ["cancer", "lung cancer", "\"non-small cell lung cancer\"", "diabetes OR melanoma", "lymphoma NOT follicular",
               "covid", "pancrea*", "alcohol", "breast cancer", "dental caries", "coronary", "spondyloarthritis kw7"]
let baselineTerms = ["cancer", "lung", "diabetes", "melanoma", "lymphoma", "covid", "pancrea", "alcohol", "breast",
                     "dental", "coronary", "spondyloarthritis"]

/// Slots filled by parallel workers, each writing only its own indexes.
final class Slots<T>: @unchecked Sendable {
    var items: [T?]
    init(_ count: Int) { items = Array(repeating: nil, count: count) }
}

/// Clone `i` of the real records, perturbed as the header says; `rng` must be advanced in clone order.
func clone(_ i: Int, _ rng: inout SplitMix) -> JSONValue {
    let base = originals[i % originals.count]
    let id = "NCT\(80_000_000 + i)"
    let title = (base[path: "protocolSection.identificationModule.briefTitle"]?.stringValue ?? "") + " "
        + titleWords.randomElement(using: &rng)! + " " + titleWords.randomElement(using: &rng)! + " kw\(i % 997)"
    let prefix = (0..<8).map { _ in summaryWords.randomElement(using: &rng)! }.joined(separator: " ")
    let summary = prefix + ". " + (base[path: "protocolSection.descriptionModule.briefSummary"]?.stringValue ?? "")
    return base.setting(path: "protocolSection.identificationModule.nctId", to: .string(id))
        .setting(path: "protocolSection.identificationModule.briefTitle", to: .string(title))
        .setting(path: "protocolSection.descriptionModule.briefSummary", to: .string(summary))
}

/// Writes `size` clones through `Store.record(prepared:)` (the import path: the index is written in the same
/// transaction), in batches of 1000 prepared on every core while the previous batch is written.
/// Clones below `from` are already stored (a kept store whose build was interrupted): their draws are skipped.
func build(_ store: Store, size: Int, from: Int) throws {
    var rng = SplitMix(state: 42)
    for _ in 0..<from {  // the same draws as `clone`, in the same order
        for _ in 0..<2 { _ = titleWords.randomElement(using: &rng) }
        for _ in 0..<8 { _ = summaryWords.randomElement(using: &rng) }
    }
    let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let writer = DispatchQueue(label: "writer")
    let inFlight = DispatchSemaphore(value: 2)
    let failure = Slots<String>(1)
    for start in stride(from: from, to: size, by: 1000) {
        let jsons = (start..<min(size, start + 1000)).map { clone($0, &rng) }
        let slots = Slots<PreparedRecord>(jsons.count)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for k in stride(from: w, to: jsons.count, by: workers) {
                slots.items[k] = try? PreparedRecord(StudyRecord(json: jsons[k]))
            }
        }
        let prepared = slots.items.compactMap { $0 }
        inFlight.wait()
        writer.async {
            do { _ = try store.record(prepared: prepared, source: .import) } catch { failure.items[0] = "\(error)" }
            inFlight.signal()
        }
        if let message = failure.items[0] { throw BenchError(message: message) }
    }
    writer.sync {}
    if let message = failure.items[0] { throw BenchError(message: message) }
}

struct BenchError: Error { let message: String }

for size in runSizes {
    let dir: URL
    if let keepDir {
        dir = URL(fileURLWithPath: keepDir)
    } else {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctsync-search-bench-\(UUID().uuidString)")
    }
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { if keepDir == nil { try? FileManager.default.removeItem(at: dir) } }
    let file = dir.appendingPathComponent("bench-\(size).sqlite").path
    let reused = FileManager.default.fileExists(atPath: file)
    let openStart = DispatchTime.now().uptimeNanoseconds
    let store = try Store(path: file)  // runs pending migrations on a kept store: timed as "opened"
    let opened = Double(DispatchTime.now().uptimeNanoseconds - openStart) / 1e9
    let existing = try store.totals().studies
    var buildTime = 0.0
    if existing < size {
        let first = try store.search(nil, limit: 1).first?.nctId
        guard existing == 0 || first == "NCT80000000" else { throw BenchError(message: "\(file) is not a bench store") }
        if existing > 0 { say("resuming \(file) at \(existing) studies") }
        buildTime = try time { try build(store, size: size, from: existing) }
    }
    let buildNote = reused && existing == size
        ? "reused \(file) (opened in \(String(format: "%.1f", opened)) s)" : "stored in \(String(format: "%.1f", buildTime)) s"
    let fileBytes = (try FileManager.default.attributesOfItem(atPath: store.path)[.size] as? Int) ?? 0
    let indexBytes = try store.searchIndexBytes()
    let parts = try store.searchIndexParts().sorted { $0.key < $1.key }.map { "\($0.key) \($0.value / 1_000_000) MB" }
    say("\n== \(size) studies: \(buildNote); database \(fileBytes / 1_000_000) MB; "
          + "search index \(indexBytes.map { "\($0 / 1_000_000) MB" } ?? "n/a (no dbstat)") (\(parts.joined(separator: ", ")))")

    // Search: each query 5 times (the first run warms the page cache and is kept).
    var searchTimes: [Double] = []
    var perQuery: [String: [Double]] = [:]
    var hits = 0
    for _ in 0..<5 {
        for q in queries {
            let parsed = try SearchQuery(q)
            let t = try time { hits += try store.search(parsed, limit: 20).count }
            searchTimes.append(t)
            perQuery[q, default: []].append(t)
        }
    }
    var baseTimes: [Double] = []
    for _ in 0..<5 {
        for t in baselineTerms { baseTimes.append(try time { _ = try store.baselineTitleScan(t) }) }
    }
    // Unlimited baseline: a LIKE scan that must rank would read every matching row; measure the scan of a rare term.
    var rareBase: [Double] = []
    for _ in 0..<5 { rareBase.append(try time { _ = try store.baselineTitleScan("zzzznotfound") }) }
    say("search (\(searchTimes.count) runs of \(queries.count) queries, limit 20): p50 \(ms(percentile(searchTimes, 0.5)))"
          + " p95 \(ms(percentile(searchTimes, 0.95))) max \(ms(searchTimes.max()!))")
    say("baseline LIKE '%term%' on titles, first 20 by id: p50 \(ms(percentile(baseTimes, 0.5)))"
          + " p95 \(ms(percentile(baseTimes, 0.95))); full scan (no match): p50 \(ms(percentile(rareBase, 0.5)))")

    say("  per query, median of 5: " + queries.map { "\($0) \(ms(percentile(perQuery[$0]!, 0.5)))" }
        .joined(separator: "; "))

    // Filtered searches, as `ctsync search QUERY --status …` runs them: 3 queries × 5 rounds.
    var filters: [(String, SearchFilter)] = []
    var recruiting = SearchFilter(); recruiting.statuses = ["RECRUITING"]
    var phase2 = SearchFilter(); phase2.phases = ["PHASE2", "PHASE3"]
    var results = SearchFilter(); results.hasResults = true; results.startedAfter = "2015"
    filters = [("cancer", recruiting), ("covid", phase2), ("diabetes", results)]
    var filteredTimes: [Double] = []
    for _ in 0..<5 {
        for (q, f) in filters {
            let parsed = try SearchQuery(q)
            filteredTimes.append(try time { hits += try store.search(parsed, filter: f, limit: 20).count })
        }
    }
    say("filtered search (cancer --status RECRUITING, covid --phase 2,3, diabetes --has-results --started-after 2015;"
          + " 5 runs): p50 \(ms(percentile(filteredTimes, 0.5))) p95 \(ms(percentile(filteredTimes, 0.95)))")

    // Similar: 20 targets spread over the store.
    var similarTimes: [Double] = []
    for k in 0..<20 {
        let id = NCTID("NCT\(80_000_000 + (k * 7919) % size)")!
        similarTimes.append(try time { _ = try store.similar(to: id, limit: 10) })
    }
    say("similar (20 targets, limit 10): p50 \(ms(percentile(similarTimes, 0.5))) p95 \(ms(percentile(similarTimes, 0.95)))"
          + " max \(ms(similarTimes.max()!))")
}
