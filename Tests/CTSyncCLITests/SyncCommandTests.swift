import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing

/// End to end through the built `ctsync`, against a registry on loopback.
@Suite struct SyncCommandTests {
    let fast = ["--rate", "0", "--backoff", "0.01"]

    @Test func watchSyncResyncChangeHistoryDiff() throws {
        let s = try Setup()
        var r = try s.cli.run(["watch", "add", "rand", "--term", "randomized"])
        #expect(r.status == 0)

        r = try s.cli.run(["sync", "--json"] + fast)
        #expect(r.status == 0, "\(r.stderr)")
        let first = try s.json(r.stdout)
        for key in ["fetched", "new", "changed", "unchanged", "failed", "requests"] {
            #expect(first[key]?.intValue != nil, "missing key \(key)")
        }
        #expect(first["fetched"]?.intValue == 325)
        #expect(first["new"]?.intValue == 325)
        #expect(first["requests"]?.intValue == 6)

        r = try s.cli.run(["sync", "--json"] + fast)
        let second = try s.json(r.stdout)
        #expect(second["new"]?.intValue == 0)
        #expect(second["changed"]?.intValue == 0)
        #expect(second["requests"]?.intValue == 1)

        // A status change on the registry, derived from the real record.
        let id = "NCT00033839"
        let before = try #require(s.registry.study(id))
        #expect(before[path: "protocolSection.statusModule.overallStatus"]?.stringValue == "COMPLETED")
        s.registry.put(RecordRecipes.status(before, to: "TERMINATED", posted: "2031-03-04"))
        r = try s.cli.run(["sync"] + fast)
        #expect(r.status == 0)
        #expect(r.stdout.contains("new 0, changed 1, unchanged"))

        r = try s.cli.run(["history", id])
        #expect(r.stdout.contains("COMPLETED"))
        #expect(r.stdout.contains("TERMINATED"))
        r = try s.cli.run(["history", id, "--json"])
        #expect(try s.json(r.stdout).arrayValue?.count == 2)

        r = try s.cli.run(["diff", id, "--json"])
        let changes = try #require(try s.json(r.stdout)["changes"]?.arrayValue)
        let status = try #require(changes.first { $0["path"]?.stringValue == "overallStatus" })
        #expect(status["old"] == .string("COMPLETED"))
        #expect(status["significance"] == .string("major"))
        #expect(status["text"] == .string("Overall status: Completed → Terminated"))
        #expect(status["new"] == .string("TERMINATED"))
        #expect(status["kind"] == .string("changed"))
        r = try s.cli.run(["diff", id, "--from", "1", "--to", "2"])
        #expect(r.stdout.contains("major  Overall status: Completed → Terminated  (overallStatus)"))

        r = try s.cli.run(["list", "--status", "TERMINATED", "--json"])
        #expect(try s.json(r.stdout).arrayValue?.compactMap { $0["nctId"]?.stringValue }.contains(id) == true)
        r = try s.cli.run(["show", id])
        #expect(r.status == 0)
        #expect(r.stdout.contains(id))
    }

    @Test func quietPrintsNothingWhenAllWentWell() throws {
        let s = try Setup()
        _ = try s.cli.run(["watch", "add", "covid", "--cond", "COVID-19"])
        let r = try s.cli.run(["sync", "--quiet"] + fast)
        #expect(r.status == 0)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.isEmpty)
    }

    @Test func explicitIdsAndAliases() throws {
        let s = try Setup()
        s.registry.addAlias("NCT00000042", canonical: "NCT04523987")
        let r = try s.cli.run(["sync", "NCT00000042", "nct00763412", "--json"] + fast)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try s.json(r.stdout)["new"]?.intValue == 2)
        let h = try s.cli.run(["history", "NCT00000042", "--json"])
        #expect(try s.json(h.stdout).arrayValue?.first?["nctId"] == .string("NCT04523987"))
    }

    @Test func retryBudgetSpentEndsPartialWithItsOwnExitCodeAndTheNextRunCompletes() throws {
        let s = try Setup()
        _ = try s.cli.run(["watch", "add", "rand", "--term", "randomized"])
        s.registry.inject(.delay(0))            // page 1 goes through
        s.registry.inject(.status(503), count: 3)  // page 2 fails until the budget is spent
        var r = try s.cli.run(["sync", "--retry-budget", "2", "--json"] + fast)
        #expect(r.status == 3)
        let partial = try s.json(r.stdout)
        #expect(partial["outcome"] == .string("partial"))
        #expect(partial["new"]?.intValue == 60)
        r = try s.cli.run(["sync", "--json"] + fast)
        #expect(r.status == 0)
        #expect(try s.json(r.stdout)["new"]?.intValue == 325 - 60)
    }

    @Test func aBadRecordIsReportedWithExitCode4AndTheOthersStored() throws {
        let s = try Setup()
        let study = try #require(s.registry.study("NCT00033839"))
        s.registry.put(study.setting(path: "protocolSection.identificationModule.nctId", to: .int(7)), as: "NCT00000000x")
        let r = try s.cli.run(["sync", "--term", "randomized"] + fast)
        #expect(r.status == 4)
        #expect(r.stdout.contains("new 325"))
        #expect(r.stderr.contains("protocolSection.identificationModule.nctId: not an NCT id: 7"))
    }

    @Test func killDashNineMidSyncLeavesAConsistentDatabaseAndTheNextRunFinishes() throws {
        let s = try Setup(maxPageSize: 20)
        s.registry.pageDelay = 0.25
        _ = try s.cli.run(["watch", "add", "rand", "--term", "randomized"])
        let (process, out, err) = try s.cli.start(["sync"] + fast)
        // Wait until some pages are stored, then kill it hard.
        let deadline = Date().addingTimeInterval(30)
        var stored = 0
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            stored = (try? Store(path: s.cli.database, mustExist: true).totals().versions) ?? 0
            if stored >= 60 { break }
        }
        kill(process.processIdentifier, SIGKILL)
        _ = CLI.finish(process, out, err)
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(stored >= 60 && stored < 325)

        let store = try Store(path: s.cli.database, mustExist: true)
        #expect(try store.integrityCheck() == "ok")
        s.registry.pageDelay = 0
        let r = try s.cli.run(["sync", "--json"] + fast)
        #expect(r.status == 0, "\(r.stderr)")
        let totals = try store.totals()
        #expect(totals.studies == 325)
        #expect(totals.versions == 325)  // one version each: no duplicate, none lost
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func aSecondSyncWaitsThenGivesUpClearly() throws {
        let s = try Setup()
        _ = try s.cli.run(["watch", "add", "rand", "--term", "randomized"])
        let held = try SyncLock(databasePath: s.cli.database, timeout: 1)
        let r = try s.cli.run(["sync", "--lock-timeout", "0.5"] + fast)
        #expect(r.status == 5)
        #expect(r.stderr.contains("another ctsync sync is using this database"))
        withExtendedLifetime(held) {}
    }
}
