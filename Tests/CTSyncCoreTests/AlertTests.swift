import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The change log, the outbox and the three channels, with a real webhook receiver on loopback.
@Suite struct AlertTests {
    let base = RealStudies.all.first {
        ($0[path: "protocolSection.contactsLocationsModule.centralContacts"]?.arrayValue?.count ?? 0) >= 1
    }!

    /// A store with a watch holding one real study, and its status then contact changed (two new versions).
    private func storeWithChanges(alerts: [Alert]) throws -> (Store, String) {
        let store = try Store()
        try store.addWatch(name: "w", query: StudyQuery(cond: "x"))
        for a in alerts { try store.addAlert(a) }
        let id = RecordRecipes.nctId(base)
        _ = try store.record([try StudyRecord(json: base)], source: .sync, watch: "w", changes: TrialDiffer.detector)
        let v2 = RecordRecipes.status(base, to: "WITHDRAWN", posted: "2031-01-01")
        _ = try store.record([try StudyRecord(json: v2)], source: .sync, watch: "w", changes: TrialDiffer.detector)
        let v3 = RecordRecipes.contactEmail(v2, to: "someone.else@example.org", posted: "2031-01-02")
        _ = try store.record([try StudyRecord(json: v3)], source: .sync, watch: "w", changes: TrialDiffer.detector)
        return (store, id)
    }

    private func alert(_ name: String, _ on: [String], _ channel: Alert.Channel, _ target: String) -> Alert {
        Alert(name: name, watch: "w", on: on, channel: channel, target: target, createdAt: "2031-01-01T00:00:00Z")
    }

    @Test func theChangeLogKeepsEveryChangeWithItsVersions() throws {
        let (store, id) = try storeWithChanges(alerts: [])
        let all = try store.changes(minimum: .noise)
        #expect(all.contains { $0.change.path == "overallStatus" && $0.fromVersion == 1 && $0.toVersion == 2 && $0.nctId == id })
        #expect(try store.changes(minimum: .major).allSatisfy { $0.change.significance == .major })
        #expect(try store.changes(minimum: .major).contains { $0.change.path == "overallStatus" })
        #expect(try store.changes(minimum: .minor).contains { $0.change.category == .contacts })
        #expect(try store.changes(watch: "w").count == (try store.changes()).count)
        #expect(try store.changes(since: "2999-01-01").isEmpty)
        #expect(throws: StoreError.self) { try store.changes(watch: "nope") }
    }

    @Test func aFailingWebhookGetsEveryChangeExactlyOnceInTheEnd() async throws {
        let receiver = WebhookReceiver()
        try receiver.start()
        defer { receiver.stop() }
        let (store, id) = try storeWithChanges(alerts: [alert("hook", ["status", "contacts"], .webhook, receiver.url)])
        let expected = try store.pendingDeliveries(ignoringBackoff: true).count
        #expect(expected >= 2)
        receiver.fail(next: 3)
        let deliverer = AlertDeliverer(store: store, transport: .curl())
        var runs = 0
        var failedRuns = 0
        while try !store.pending().isEmpty, runs < 10 {
            let report = try await deliverer.deliver(ignoringBackoff: true)
            if report.failed > 0 { failedRuns += 1 }
            runs += 1
        }
        #expect(failedRuns == 3)
        let bodies = receiver.accepted
        #expect(bodies.count == expected)
        #expect(Set(bodies.compactMap { $0["idempotencyKey"]?.stringValue }).count == expected)
        let status = try #require(bodies.first { $0["path"] == .string("overallStatus") })
        #expect(status["text"]?.stringValue?.hasPrefix("\(id) — Overall status: ") == true)
        #expect(status["nctId"] == .string(id))
        #expect(status["significance"] == .string("major"))
        #expect(receiver.requests.allSatisfy { $0.headers["idempotency-key"]?.hasPrefix("ctsync-hook-") == true })
        // Nothing left, nothing sent again.
        let again = try await deliverer.deliver(ignoringBackoff: true)
        #expect(again.delivered == 0)
        #expect(receiver.accepted.count == expected)
    }

    @Test func aFailedDeliveryWaitsForItsBackoff() async throws {
        let receiver = WebhookReceiver()
        try receiver.start()
        defer { receiver.stop() }
        let (store, _) = try storeWithChanges(alerts: [alert("hook", ["any"], .webhook, receiver.url)])
        receiver.fail(next: 1, status: 503)
        let report = try await AlertDeliverer(store: store, transport: .curl()).deliver()
        #expect(report.failed >= 1)
        #expect(report.errors.first?.contains("answered 503") == true)
        let pending = try store.pending()
        #expect(pending.first?.attempts == 1)
        #expect(pending.first?.lastError?.contains("503") == true)
        // The failed delivery and the alert's later ones wait together (a minute), so they stay in order: a plain
        // run now delivers nothing.
        let second = try await AlertDeliverer(store: store, transport: .curl()).deliver()
        #expect(second.delivered == 0 && second.failed == 0)
        #expect(try store.pending().allSatisfy { $0.attempts == 1 })
        #expect(AlertDeliverer.backoff(afterAttempts: 1) == 60)
        #expect(AlertDeliverer.backoff(afterAttempts: 30) == 6 * 3600)
    }

    @Test func anUnreachableWebhookStaysPending() async throws {
        let receiver = WebhookReceiver()
        try receiver.start()
        receiver.stop()
        let (store, _) = try storeWithChanges(alerts: [alert("hook", ["status"], .webhook, receiver.url)])
        let report = try await AlertDeliverer(store: store, transport: .curl()).deliver()
        #expect(report.failed == 1)
        #expect(try store.pending().count == 1)
    }

    @Test func ndjsonAppendsOneLinePerChangeAndAnUnwritableFileStaysPending() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("changes.ndjson").path
        let (store, _) = try storeWithChanges(alerts: [
            alert("lines", ["any"], .ndjson, file),
            alert("nowhere", ["any"], .ndjson, dir.appendingPathComponent("missing/dir/x.ndjson").path),
        ])
        let expected = try store.pendingDeliveries(alert: "lines").count
        let report = try await AlertDeliverer(store: store, transport: .curl()).deliver()
        #expect(report.delivered == expected)
        #expect(report.failed == expected)  // the other alert's file cannot be written
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == expected)
        for line in lines { #expect(try JSONParser.parse(String(line))["text"]?.stringValue != nil) }
        #expect(try store.pending().allSatisfy { $0.alert == "nowhere" })
    }

    @Test func atomFeedParsesBackNewestFirst() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("feed.xml").path
        let (store, _) = try storeWithChanges(alerts: [alert("feed", ["any"], .atom, file)])
        let first = try await AlertDeliverer(store: store, transport: .curl()).deliver()
        #expect(first.delivered >= 2)
        // A later change adds an entry on top.
        let latest = try store.document(of: NCTID(RecordRecipes.nctId(base))!).1
        _ = try store.record([try StudyRecord(json: RecordRecipes.status(latest, to: "COMPLETED", posted: "2031-02-01"))],
                             source: .sync, watch: "w", changes: TrialDiffer.detector)
        _ = try await AlertDeliverer(store: store, transport: .curl()).deliver()

        let parsed = try AtomReader.read(URL(fileURLWithPath: file))
        #expect(parsed.root == "feed")
        #expect(parsed.namespace == "http://www.w3.org/2005/Atom")
        #expect(parsed.entryIDs.count == first.delivered + 1)
        #expect(parsed.entryIDs == parsed.entryIDs.sorted { Int($0.split(separator: "/").last!)! > Int($1.split(separator: "/").last!)! })
        #expect(parsed.titles.first?.contains("Overall status") == true)
        #expect(parsed.hasFeedID && parsed.hasFeedTitle && parsed.hasFeedUpdated)
    }
}

/// Reads an Atom file back with Foundation's XML parser: the root, entry ids and titles.
final class AtomReader: NSObject, XMLParserDelegate {
    var root = ""
    var namespace = ""
    var entryIDs: [String] = []
    var titles: [String] = []
    var hasFeedID = false, hasFeedTitle = false, hasFeedUpdated = false
    private var path: [String] = []
    private var text = ""

    static func read(_ url: URL) throws -> AtomReader {
        let reader = AtomReader()
        let parser = XMLParser(data: try Data(contentsOf: url))
        parser.shouldProcessNamespaces = true
        parser.delegate = reader
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
        return reader
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if path.isEmpty { root = name; namespace = namespaceURI ?? "" }
        path.append(name)
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let parent = path.dropLast().last
        if parent == "entry", name == "id" { entryIDs.append(text) }
        if parent == "entry", name == "title" { titles.append(text) }
        if parent == "feed", name == "id" { hasFeedID = true }
        if parent == "feed", name == "title" { hasFeedTitle = true }
        if parent == "feed", name == "updated" { hasFeedUpdated = true }
        path.removeLast()
    }
}
