import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing

/// Change log and alerts through the built `ctsync`.
@Suite struct AlertCommandTests {
    let fast = ["--rate", "0", "--backoff", "0.01"]

    /// A watch synced once, an alert, then one study's status changed on the registry.
    private func setUp(_ s: Setup, alert: [String]) throws -> String {
        _ = try s.cli.run(["watch", "add", "covid", "--cond", "COVID-19"])
        var r = try s.cli.run(["alert", "add", "a1", "--watch", "covid"] + alert)
        #expect(r.status == 0, "\(r.stderr)")
        r = try s.cli.run(["sync"] + fast)
        #expect(r.status == 0)
        let id = "NCT04407182"
        s.registry.put(RecordRecipes.status(s.registry.study(id)!, to: "TERMINATED", posted: "2031-05-05"))
        return id
    }

    @Test func syncLogsChangesAndDeliversToNDJSON() throws {
        let s = try Setup()
        let file = s.dir.appendingPathComponent("alerts.ndjson").path
        let id = try setUp(s, alert: ["--on", "status", "--ndjson", file])
        var r = try s.cli.run(["sync", "--quiet"] + fast)
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty && r.stderr.isEmpty)
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        let payload = try JSONParser.parse(String(lines[0]))
        #expect(payload["text"] == .string("\(id) — Overall status: Completed → Terminated"))
        #expect(payload["alert"] == .string("a1"))

        r = try s.cli.run(["changes", "--watch", "covid", "--min-significance", "major", "--json"])
        let changes = try #require(try s.json(r.stdout).arrayValue)
        #expect(changes.contains { $0["path"] == .string("overallStatus") && $0["nctId"] == .string(id) })
        #expect(changes.allSatisfy { $0["significance"] == .string("major") })
        r = try s.cli.run(["changes", "--since", "2000-01-01", "--ndjson"])
        #expect(r.stdout.split(separator: "\n").count >= 1)
        r = try s.cli.run(["changes"])
        #expect(r.stdout.contains("[major] Overall status: Completed → Terminated"))
        r = try s.cli.run(["changes", "--min-significance", "huge"])
        #expect(r.status == 64)

        r = try s.cli.run(["alert", "list", "--json"])
        #expect(try s.json(r.stdout).arrayValue?.first?["channel"] == .string("ndjson"))
        r = try s.cli.run(["alert", "remove", "a1"])
        #expect(r.status == 0)
        r = try s.cli.run(["alert", "remove", "a1"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no alert named 'a1'"))
    }

    @Test func aFailingWebhookGivesExitCode6AndStaysPendingUntilDelivered() throws {
        let s = try Setup()
        let receiver = WebhookReceiver()
        try receiver.start()
        defer { receiver.stop() }
        _ = try setUp(s, alert: ["--webhook", receiver.url])
        receiver.fail(next: 100, status: 500)
        var r = try s.cli.run(["sync", "--quiet"] + fast)
        #expect(r.status == 6)
        #expect(r.stderr.contains("answered 500"))
        r = try s.cli.run(["alerts", "pending", "--json"])
        let pending = try #require(try s.json(r.stdout).arrayValue)
        #expect(!pending.isEmpty)
        #expect(pending.allSatisfy { $0["attempts"]?.intValue ?? 0 <= 1 })

        receiver.fail(next: 0)
        r = try s.cli.run(["alerts", "deliver", "--now", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try s.json(r.stdout)["pending"]?.intValue == 0)
        #expect(receiver.accepted.count == pending.count)
        r = try s.cli.run(["sync", "--no-alerts", "--json"] + fast)
        #expect(try s.json(r.stdout)["alerts"] == nil)
    }

    @Test func killedBetweenDeliveryAndAcknowledgementLosesNothing() throws {
        let s = try Setup()
        let receiver = WebhookReceiver()
        try receiver.start()
        defer { receiver.stop() }
        _ = try setUp(s, alert: ["--on", "status", "--webhook", receiver.url])
        _ = try s.cli.run(["sync", "--no-alerts"] + fast)
        // The receiver takes the request, then holds its answer: ctsync is killed before it can record it.
        receiver.delayResponses(by: 3)
        let (process, out, err) = try s.cli.start(["alerts", "deliver"])
        let deadline = Date().addingTimeInterval(10)
        while receiver.requests.isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        kill(process.processIdentifier, SIGKILL)
        _ = CLI.finish(process, out, err)
        #expect(receiver.accepted.count == 1)

        receiver.delayResponses(by: 0)
        let r = try s.cli.run(["alerts", "deliver"])
        #expect(r.status == 0, "\(r.stderr)")
        let keys = receiver.accepted.compactMap { $0["idempotencyKey"]?.stringValue }
        #expect(keys.count == 2)          // sent again after the crash…
        #expect(Set(keys).count == 1)     // …with the same idempotency key, so the receiver can drop it
        let again = try s.cli.run(["alerts", "deliver", "--now"])
        #expect(again.stdout.contains("delivered 0"))
    }

    @Test func badAlertInput() throws {
        let s = try Setup()
        _ = try s.cli.run(["watch", "add", "covid", "--cond", "COVID-19"])
        var r = try s.cli.run(["alert", "add", "x", "--watch", "covid"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("exactly one of --webhook URL, --ndjson FILE, --atom FILE"))
        r = try s.cli.run(["alert", "add", "x", "--watch", "covid", "--on", "weather", "--ndjson", "/tmp/x"])
        #expect(r.status == 64)
        r = try s.cli.run(["alert", "add", "x", "--watch", "nope", "--ndjson", "/tmp/x"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no watch named 'nope'"))
        r = try s.cli.run(["alert", "add", "x", "--watch", "covid", "--webhook", "ftp://example.org"])
        #expect(r.status == 64)
    }
}
