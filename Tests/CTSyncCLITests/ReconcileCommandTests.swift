import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing

/// `sync --reconcile`, `sync --full` and `watch status` through the built executable.
@Suite struct ReconcileCommandTests {
    let fast = ["--rate", "0", "--backoff", "0.01"]

    @Test func reconcileFullAndStatus() throws {
        let s = try Setup()
        _ = try s.cli.run(["watch", "add", "covid", "--cond", "COVID-19", "--reconcile-budget", "2"])
        var r = try s.cli.run(["sync", "--json"] + fast)
        #expect(r.status == 0)
        #expect(try s.json(r.stdout)["reconciled"]?.intValue == 2)  // the watch's own budget

        // A silent status flip on the registry (no new posting date), derived from a real record.
        let id = "NCT04407182"
        let study = try #require(s.registry.study(id))
        s.registry.put(study.setting(path: "protocolSection.statusModule.overallStatus", to: .string("UNKNOWN")))
        r = try s.cli.run(["sync", "--reconcile", "--budget", "10", "--json"] + fast)
        #expect(try s.json(r.stdout)["changed"]?.intValue == 1)
        #expect(try s.json(r.stdout)["reconciled"]?.intValue == 4)

        // One study leaves the registry: --full says so and keeps it.
        s.registry.remove("NCT05780450")
        r = try s.cli.run(["sync", "--full"] + fast)
        #expect(r.status == 0)
        #expect(r.stdout.contains("removed 1"))
        r = try s.cli.run(["watch", "status", "covid", "--json"])
        let status = try s.json(r.stdout)
        #expect(status["studies"]?.intValue == 3)
        #expect(status["removed"] == .array([.string("NCT05780450")]))
        #expect(status["lastFullListing"]?.stringValue != nil)
        #expect(status["oldestLastChecked"]?.stringValue != nil)
        r = try s.cli.run(["watch", "status", "covid"])
        #expect(r.stdout.contains("removed          NCT05780450"))
        r = try s.cli.run(["history", "NCT05780450"])
        #expect(r.status == 0)

        r = try s.cli.run(["sync", "--full", "NCT04407182"])
        #expect(r.status == 64)
        r = try s.cli.run(["watch", "status", "nope"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no watch named 'nope'"))
    }
}
