import CTSyncCore
import CTSyncFakeRegistry
import Foundation

/// The real records, loaded once for the whole test run.
enum RealStudies {
    static let all: [JSONValue] = {
        do {
            return try FakeRegistry.loadStudies(from: RecordsLocation.records)
        } catch {
            fatalError("cannot read the real records at \(RecordsLocation.records.path): \(error)")
        }
    }()

    /// The same, prepared once for every fake registry of the run.
    static let prepared = FakeRegistry.prepare(all)

    static func study(_ id: String) -> JSONValue {
        all.first { RecordRecipes.nctId($0) == id }!
    }
}

/// A fake registry on 127.0.0.1 serving the real records, and a client and store wired to it.
struct Harness {
    let registry: FakeRegistry
    let store: Store

    init(maxPageSize: Int = 1000, store: Store? = nil) throws {
        registry = FakeRegistry(prepared: RealStudies.prepared)
        registry.maxPageSize = maxPageSize
        try registry.start()
        self.store = try store ?? Store()
    }

    /// A polite-but-fast policy: no throttle, millisecond backoff.
    static func fastPolicy(budget: Int = 40, attempts: Int = 6) -> RequestPolicy {
        var p = RequestPolicy()
        p.requestsPerSecond = 0
        p.backoffBase = 0.005
        p.backoffCap = 0.05
        p.maxRetryAfter = 1.5
        p.retryBudget = budget
        p.maxAttempts = attempts
        return p
    }

    func client(policy: RequestPolicy = Harness.fastPolicy(), timeout: TimeInterval = 15) -> RegistryClient {
        var options = CurlOptions()
        options.totalTimeout = timeout
        options.connectTimeout = 2
        return RegistryClient(baseURL: registry.baseURL, transport: .curl(options), policy: policy)
    }

    func engine(policy: RequestPolicy = Harness.fastPolicy(), pageSize: Int = 1000, timeout: TimeInterval = 15) -> SyncEngine {
        var options = SyncEngine.Options()
        options.pageSize = pageSize
        return SyncEngine(store: store, client: client(policy: policy, timeout: timeout), options: options)
    }

    /// Number of versions stored per study.
    func versionCounts() throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try store.studies() {
            counts[row.nctId] = try store.versions(of: NCTID(row.nctId)!).count
        }
        return counts
    }
}

/// The client timeout for a fault: short for a delay past it (the fault waits 4 s), generous otherwise, so a
/// loaded machine does not turn a slow answer into an extra retry.
func timeout(for fault: FakeRegistry.Fault) -> TimeInterval {
    if case .delay = fault { return 1.5 }
    return 15
}

/// A fresh temporary directory, removed by the caller's `defer`.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ctsync-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
