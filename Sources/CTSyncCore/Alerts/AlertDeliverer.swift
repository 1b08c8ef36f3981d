import Foundation

/// What one delivery run did.
public struct DeliveryReport: Sendable, Codable, Equatable {
    public var delivered = 0
    public var failed = 0
    /// Deliveries still waiting after the run (failed ones and those not yet due).
    public var pending = 0
    public var errors: [String] = []
    public init() {}
}

/// Delivers the outbox: each change once per alert, by webhook, NDJSON file or Atom feed.
///
/// A delivery is marked done only after the channel accepted it, so a crash in between may send it again (with
/// the same idempotency key) but never loses it. A failure leaves it pending with a backoff before the next try.
public struct AlertDeliverer: Sendable {
    private let store: Store
    private let transport: HTTPTransport
    private let now: @Sendable () -> Date

    /// Delay before retrying a delivery that failed `attempts` times: 1 minute doubling, at most 6 hours.
    public static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(60 * pow(2, Double(max(attempts - 1, 0))), 6 * 3600)
    }

    public init(store: Store, transport: HTTPTransport, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.transport = transport
        self.now = now
    }

    /// Delivers what is due (everything pending with `ignoringBackoff`).
    public func deliver(ignoringBackoff: Bool = false) async throws -> DeliveryReport {
        var report = DeliveryReport()
        let due = try store.pendingDeliveries(now: now(), ignoringBackoff: ignoringBackoff)
        var byAlert: [String: [Delivery]] = [:]
        for d in due { byAlert[d.alert.name, default: []].append(d) }
        for name in byAlert.keys.sorted() {
            let batch = byAlert[name]!
            switch batch[0].alert.channel {
            case .webhook: try await webhook(batch, into: &report)
            case .ndjson: try file(batch, into: &report) { try appendNDJSON($0) }
            case .atom: try file(batch, into: &report) { try writeAtom($0) }
            }
        }
        report.pending = try store.pending().count
        return report
    }

    // MARK: - Channels

    private func webhook(_ batch: [Delivery], into report: inout DeliveryReport) async throws {
        for (n, d) in batch.enumerated() {
            let request = HTTPRequest(method: "POST", url: d.alert.target, headers: [
                ("Content-Type", "application/json"), ("Idempotency-Key", d.idempotencyKey),
            ], body: AlertPayload(d).jsonData())
            var failure: String?
            do {
                let response = try await transport.send(request)
                if !(200...299).contains(response.status) {
                    failure = "webhook \(d.alert.target) answered \(response.status)"
                }
            } catch {
                failure = "webhook \(d.alert.target): \(error.localizedDescription)"
            }
            if let failure {
                // The receiver is failing: this and the alert's later deliveries wait together, so they stay in order.
                try fail(Array(batch[n...]), failure, into: &report)
                return
            }
            try store.markDelivered([d.outboxID], at: now())
            report.delivered += 1
        }
    }

    private func file(_ batch: [Delivery], into report: inout DeliveryReport, write: ([Delivery]) throws -> Void) throws {
        do {
            try write(batch)
        } catch {
            return try fail(batch, "\(batch[0].alert.channel.rawValue) \(batch[0].alert.target): \(error.localizedDescription)", into: &report)
        }
        try store.markDelivered(batch.map(\.outboxID), at: now())
        report.delivered += batch.count
    }

    private func fail(_ batch: [Delivery], _ message: String, into report: inout DeliveryReport) throws {
        let attempts = (batch.map(\.attempts).max() ?? 0) + 1
        try store.markFailed(batch.map(\.outboxID), error: message,
                             retryAt: now().addingTimeInterval(Self.backoff(afterAttempts: attempts)))
        report.failed += batch.count
        report.errors.append("alert \(batch[0].alert.name): \(message)")
    }

    /// One JSON line per change, appended and flushed to disk before the deliveries are marked done.
    private func appendNDJSON(_ batch: [Delivery]) throws {
        var data = Data()
        for d in batch {
            data.append(AlertPayload(d).jsonData())
            data.append(0x0A)
        }
        let path = batch[0].alert.target
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw DeliveryError("cannot create \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw DeliveryError("cannot open \(path) for writing") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
        try handle.synchronize()
    }

    /// The feed is rebuilt from what was delivered before plus this batch, written to a temporary file and
    /// renamed over the old one, so a reader never sees half a feed.
    private func writeAtom(_ batch: [Delivery]) throws {
        let alert = batch[0].alert
        let earlier = try store.delivered(to: alert.name, limit: AtomFeed.maximumEntries)
        let entries = (batch.map(\.change).reversed() + earlier).sorted { $0.id > $1.id }
        let xml = AtomFeed.render(alert: alert, changes: Array(entries.prefix(AtomFeed.maximumEntries)),
                                  updated: Store.timestamp(now()))
        let url = URL(fileURLWithPath: alert.target)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try Data(xml.utf8).write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw DeliveryError("cannot replace \(url.path): \(reason)")
        }
    }

    struct DeliveryError: Error, LocalizedError {
        var message: String
        init(_ m: String) { message = m }
        var errorDescription: String? { message }
    }
}
