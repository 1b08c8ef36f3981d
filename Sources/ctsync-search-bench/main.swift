import CTSyncCore
import CTSyncFakeRegistry
import Foundation

// ctsync-search-bench: search and `similar` latency on a synthetic store, with a LIKE-scan baseline.
//
// Usage: ctsync-search-bench [SIZE ...]   (default: 10000 100000)
//
// The generator clones the real v2 records (found by `RecordsLocation.records`, as the tests find them) round-robin, giving
// clone i the NCT id NCT8xxxxxxx (80000000 + i) and perturbing its text deterministically: the brief title gets two
// words drawn from the pooled title vocabulary of the real records plus a clone word "kw<i mod 997>", and the
// brief summary is prefixed with eight pooled summary words. Conditions, MeSH terms, interventions and design stay
// those of the source record, so every `similar` target has ~SIZE/25 candidates sharing its conditions (a hard case:
// far denser than the real registry). Each store is written through `Store.record` in batches of 1000 into a
// temporary file, then measured and deleted.

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

let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let runSizes = sizes.isEmpty ? [10_000, 100_000] : sizes
let originals = try FakeRegistry.loadStudies(from: RecordsLocation.records).filter { (try? StudyRecord(json: $0)) != nil }
let titleWords = originals.flatMap { words($0[path: "protocolSection.identificationModule.briefTitle"]?.stringValue) }
let summaryWords = originals.flatMap { words($0[path: "protocolSection.descriptionModule.briefSummary"]?.stringValue) }
print("source records: \(originals.count); title vocabulary \(titleWords.count) words; summary \(summaryWords.count)")

let queries = ["cancer", "lung cancer", "\"non-small cell lung cancer\"", "diabetes OR melanoma", "lymphoma NOT follicular",
               "covid", "pancrea*", "alcohol", "breast cancer", "dental caries", "coronary", "spondyloarthritis kw7"]
let baselineTerms = ["cancer", "lung", "diabetes", "melanoma", "lymphoma", "covid", "pancrea", "alcohol", "breast",
                     "dental", "coronary", "spondyloarthritis"]

for size in runSizes {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctsync-search-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let store = try Store(path: dir.appendingPathComponent("bench.sqlite").path)
    var rng = SplitMix(state: 42)
    var batch: [StudyRecord] = []
    let build = try time {
        for i in 0..<size {
            let base = originals[i % originals.count]
            let id = "NCT\(80_000_000 + i)"
            let title = (base[path: "protocolSection.identificationModule.briefTitle"]?.stringValue ?? "") + " "
                + titleWords.randomElement(using: &rng)! + " " + titleWords.randomElement(using: &rng)! + " kw\(i % 997)"
            let prefix = (0..<8).map { _ in summaryWords.randomElement(using: &rng)! }.joined(separator: " ")
            let summary = prefix + ". " + (base[path: "protocolSection.descriptionModule.briefSummary"]?.stringValue ?? "")
            let json = base.setting(path: "protocolSection.identificationModule.nctId", to: .string(id))
                .setting(path: "protocolSection.identificationModule.briefTitle", to: .string(title))
                .setting(path: "protocolSection.descriptionModule.briefSummary", to: .string(summary))
            batch.append(try StudyRecord(json: json))
            if batch.count == 1000 || i == size - 1 {
                _ = try store.record(batch, source: .import)
                batch.removeAll(keepingCapacity: true)
            }
        }
    }
    let fileBytes = (try FileManager.default.attributesOfItem(atPath: store.path)[.size] as? Int) ?? 0
    let indexBytes = try store.searchIndexBytes()
    print("\n== \(size) studies: stored in \(String(format: "%.1f", build)) s; database \(fileBytes / 1_000_000) MB; "
          + "search index \(indexBytes.map { "\($0 / 1_000_000) MB" } ?? "n/a (no dbstat)")")

    // Search: each query 5 times (the first run warms the page cache and is kept).
    var searchTimes: [Double] = []
    var hits = 0
    for _ in 0..<5 {
        for q in queries {
            let parsed = try SearchQuery(q)
            searchTimes.append(try time { hits += try store.search(parsed, limit: 20).count })
        }
    }
    var baseTimes: [Double] = []
    for _ in 0..<5 {
        for t in baselineTerms { baseTimes.append(try time { _ = try store.baselineTitleScan(t) }) }
    }
    // Unlimited baseline: a LIKE scan that must rank would read every matching row; measure the scan of a rare term.
    var rareBase: [Double] = []
    for _ in 0..<5 { rareBase.append(try time { _ = try store.baselineTitleScan("zzzznotfound") }) }
    print("search (\(searchTimes.count) runs of \(queries.count) queries, limit 20): p50 \(ms(percentile(searchTimes, 0.5)))"
          + " p95 \(ms(percentile(searchTimes, 0.95))) max \(ms(searchTimes.max()!))")
    print("baseline LIKE '%term%' on titles, first 20 by id: p50 \(ms(percentile(baseTimes, 0.5)))"
          + " p95 \(ms(percentile(baseTimes, 0.95))); full scan (no match): p50 \(ms(percentile(rareBase, 0.5)))")

    // Similar: 20 targets spread over the store.
    var similarTimes: [Double] = []
    for k in 0..<20 {
        let id = NCTID("NCT\(80_000_000 + (k * 7919) % size)")!
        similarTimes.append(try time { _ = try store.similar(to: id, limit: 10) })
    }
    print("similar (20 targets, limit 10): p50 \(ms(percentile(similarTimes, 0.5))) p95 \(ms(percentile(similarTimes, 0.95)))"
          + " max \(ms(similarTimes.max()!))")
}
