import CTSyncCore
import CTSyncFakeRegistry
import Foundation

// `ctsync-bench sync`: the issue-2 figures. A registry on loopback serves the real records; a watch of the 325
// real studies that mention "randomized" is synced into a new database, then re-synced with nothing changed.
// Baseline in the same run: fetching the same pages with the same client and not storing them.

/// Figures of one sync round.
struct SyncRound {
    var firstSeconds: Double
    var firstRequests: Int
    var resyncSeconds: Double
    var resyncRequests: Int
    var fetchOnlySeconds: Double
    var versions: Int
    var rawBytes: Int
    var storedBytes: Int
    var fileBytes: Int
}

func syncBenchmark(records: URL, rounds: Int, pageSize: Int, rate: Double) async throws -> [SyncRound] {
    let registry = FakeRegistry(prepared: FakeRegistry.prepare(try FakeRegistry.loadStudies(from: records)))
    registry.maxPageSize = pageSize
    try registry.start()
    defer { registry.stop() }
    var policy = RequestPolicy()
    policy.requestsPerSecond = rate
    let query = StudyQuery(term: "randomized")
    var out: [SyncRound] = []
    for _ in 0..<rounds {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctsync-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bench.sqlite").path
        let store = try Store(path: path)
        try store.addWatch(name: "rand", query: query)

        func engine() -> SyncEngine {
            var options = SyncEngine.Options()
            options.pageSize = 1000
            return SyncEngine(store: store, client: RegistryClient(baseURL: registry.baseURL, transport: .curl(), policy: policy),
                              options: options)
        }
        var start = Date()
        let first = try await engine().run([.watch(try store.watch(named: "rand"))])
        let firstSeconds = Date().timeIntervalSince(start)
        start = Date()
        let again = try await engine().run([.watch(try store.watch(named: "rand"))])
        let resyncSeconds = Date().timeIntervalSince(start)
        precondition(first.new >= 200 && again.new == 0 && again.changed == 0, "unexpected sync result")

        // Baseline: the same listing through the same client, pages parsed (as the client must) but not stored.
        start = Date()
        let client = RegistryClient(baseURL: registry.baseURL, transport: .curl(), policy: policy)
        _ = try await client.list(query, pageSize: 1000) { _ in }
        let fetchOnly = Date().timeIntervalSince(start)

        let totals = try store.totals()
        try store.checkpoint()
        let fileBytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        out.append(SyncRound(firstSeconds: firstSeconds, firstRequests: first.requests, resyncSeconds: resyncSeconds,
                             resyncRequests: again.requests, fetchOnlySeconds: fetchOnly, versions: totals.versions,
                             rawBytes: totals.rawBytes, storedBytes: totals.storedBytes, fileBytes: fileBytes))
    }
    return out
}

func runSyncBenchmark(records: URL, rounds: Int) async throws {
    print("sync: watch term=randomized (325 real studies), registry on 127.0.0.1, \(rounds) rounds, medians")
    for (pageSize, rate) in [(1000, 2.0), (100, 2.0), (100, 0.0)] {
        let r = try await syncBenchmark(records: records, rounds: rounds, pageSize: pageSize, rate: rate)
        let first = median(of: r.map(\.firstSeconds)), resync = median(of: r.map(\.resyncSeconds)), fetch = median(of: r.map(\.fetchOnlySeconds))
        print(String(format: "  pages of %4d, %@: first sync %d requests %.3f s (%.0f studies/s) | re-sync %d request %.3f s | fetch-only baseline %.3f s, sync/baseline %.2f",
                     pageSize, rate > 0 ? "2 req/s" : "no throttle", r[0].firstRequests, first, Double(r[0].versions) / first,
                     r[0].resyncRequests, resync, fetch, first / fetch))
        if pageSize == 1000 {
            let v = r[0]
            print(String(format: "  storage: %d versions, raw canonical JSON %d B (%.0f B/version), stored compressed %d B (%.0f B/version, %.1f%% of raw), database file %d B (%.0f B/version)",
                         v.versions, v.rawBytes, Double(v.rawBytes) / Double(v.versions), v.storedBytes,
                         Double(v.storedBytes) / Double(v.versions), 100 * Double(v.storedBytes) / Double(v.rawBytes), v.fileBytes,
                         Double(v.fileBytes) / Double(v.versions)))
        }
    }
}

func median(of xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
