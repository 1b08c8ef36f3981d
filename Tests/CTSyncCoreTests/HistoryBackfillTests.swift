import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing

@Suite struct HistoryBackfillTests {
    /// A harness whose registry serves the real-snapshot histories.
    func harness(store: Store? = nil) throws -> Harness {
        let h = try Harness(store: store)
        for (id, versions) in try RegistryHistories.real(records: RecordsLocation.records) {
            h.registry.histories.set(id, versions: versions)
        }
        return h
    }

    func backfill(_ h: Harness, _ ids: [String], policy: RequestPolicy = Harness.fastPolicy()) async throws -> BackfillSummary {
        try await HistoryBackfill(store: h.store, client: h.client(policy: policy)).run(ids.map { NCTID($0)! })
    }

    @Test func internalURLIsDerivedFromTheAPIBase() {
        let transport = HTTPTransport { _ in HTTPResponse(status: 500) }
        #expect(RegistryClient(baseURL: "https://clinicaltrials.gov/api/v2", transport: transport).internalBaseURL
            == "https://clinicaltrials.gov/api/int")
        #expect(RegistryClient(baseURL: "http://127.0.0.1:8080/api/v2/", transport: transport).internalBaseURL
            == "http://127.0.0.1:8080/api/int")
    }

    @Test func backfillIntoASyncedStudyPutsOlderVersionsFirst() async throws {
        let h = try harness()
        let id = NCTID("NCT00763412")!
        _ = try await h.engine().run([.ids([id])])
        let synced = try h.store.versions(of: id)
        #expect(synced.count == 1)

        let s = try await backfill(h, [id.rawValue])
        #expect(s.outcome == .ok && s.failed == 0)
        #expect(s.listed == 4 && s.fetched == 4 && s.added == 3 && s.matched == 1)
        let versions = try h.store.versions(of: id)
        #expect(versions.map(\.version) == [1, 2, 3, 4])
        #expect(versions.map(\.registryVersion) == [0, 1, 2, 3])
        #expect(versions.map(\.source) == ["history", "history", "history", "sync"])
        #expect(versions.map(\.registryDate) == ["2008-10-01", "2011-03-01", "2017-06-05", "2017-06-05"])
        #expect(versions.last?.contentHash == synced[0].contentHash, "the synced version is the registry's latest, stored once")
        let row = try h.store.studies().first { $0.nctId == id.rawValue }!
        #expect(row.latestVersion == 4 && row.overallStatus == "COMPLETED")
        // diff spans the registry's history.
        let (_, v1) = try h.store.document(of: id, version: 1)
        let (_, v2) = try h.store.document(of: id, version: 2)
        let changes = JSONDiff.diff(v1, v2).map(\.path)
        #expect(changes.contains("protocolSection.statusModule.overallStatus"))
        #expect(changes.contains("protocolSection.designModule.enrollmentInfo.type"))

        // Again: nothing to fetch but the list.
        h.registry.clearRequests()
        let again = try await backfill(h, [id.rawValue])
        #expect(again.fetched == 0 && again.alreadyStored == 4 && again.added == 0)
        #expect(h.registry.requests.count == 1)
        // And the next sync finds nothing new.
        let sync = try await h.engine().run([.ids([id])])
        #expect(sync.unchanged == 1)
        #expect(try h.store.versions(of: id).count == 4)
    }

    @Test func backfillBeforeAnySyncThenSyncAddsNothing() async throws {
        let h = try harness()
        let id = NCTID("NCT02552212")!
        let s = try await backfill(h, [id.rawValue])
        #expect(s.added == 3 && s.matched == 0)
        let versions = try h.store.versions(of: id)
        #expect(versions.map(\.registryVersion) == [0, 1, 2])
        #expect(versions.map(\.overallStatus) == ["RECRUITING", "COMPLETED", "COMPLETED"])
        let sync = try await h.engine().run([.ids([id])])
        #expect(sync.unchanged == 1 && sync.new == 0)
    }

    @Test func aNewerRegistryVersionBecomesTheLatest() async throws {
        let h = try harness()
        let id = NCTID("NCT04523987")!
        _ = try await h.engine().run([.ids([id])])
        // The registry moves on after our sync: its history (derived) now ends with the changed record.
        let changed = RecordRecipes.status(RealStudies.study(id.rawValue), to: "COMPLETED", posted: "2031-02-03")
        h.registry.put(changed)
        let s = try await backfill(h, [id.rawValue])
        #expect(s.added == 2 && s.matched == 0)
        let versions = try h.store.versions(of: id)
        #expect(versions.map(\.version) == [1, 2, 3])
        #expect(versions.map(\.source) == ["history", "sync", "history"])
        #expect(versions.last?.overallStatus == "COMPLETED")
        let row = try h.store.studies().first { $0.nctId == id.rawValue }!
        #expect(row.latestVersion == 3 && row.overallStatus == "COMPLETED" && row.lastUpdatePosted == "2031-02-03")
        let sync = try await h.engine().run([.ids([id])])
        #expect(sync.unchanged == 1)
    }

    @Test func toleratesShapeVariantsAndFailsClearlyOnOthers() async throws {
        let h = try harness()
        let id = "NCT04523987"
        h.registry.histories.overrideIndex(id, body: Data(#"{"changes":[{"version":"0","versionDate":"2020-08-24"},{"versionNumber":1,"date":"2020-08-24"}]}"#.utf8))
        let ok = try await backfill(h, [id])
        #expect(ok.failed == 0 && ok.added + ok.matched == 2)
        #expect(try h.store.versions(of: NCTID(id)!).map(\.registryVersion) == [0, 1])

        let broken = "NCT00763412"
        h.registry.histories.overrideIndex(broken, body: Data(#"{"study":{},"topics":[]}"#.utf8))
        let s = try await backfill(h, [broken, "NCT02552212"])
        #expect(s.failed == 1)
        #expect(s.errors.first?.contains("no history.changes[] in the record history (found: study, topics)") == true)
        #expect(s.added == 3, "the other study is backfilled")

        h.registry.histories.overrideIndex(broken, body: Data("<html>maintenance</html>".utf8))
        let t = try await backfill(h, [broken])
        #expect(t.errors.first?.contains("the record history is not JSON") == true)
        let u = try await backfill(h, ["NCT99999999"])
        #expect(u.failed == 1 && u.errors.first?.contains("NCT99999999 is not in the registry (404") == true)
    }

    @Test func politeRetriesAndBudgetAsSync() async throws {
        let h = try harness()
        h.registry.histories.set("NCT02552212", versions: try RegistryHistories.real(records: RecordsLocation.records)["NCT02552212"]!)
        h.registry.inject(.status(503), on: .history, count: 2)
        let s = try await backfill(h, ["NCT02552212"])
        #expect(s.outcome == .ok && s.retries == 2 && s.added == 3)

        let h2 = try harness()
        h2.registry.inject(.status(503), on: .history, count: 10)
        let p = try await backfill(h2, ["NCT00763412", "NCT02552212"], policy: Harness.fastPolicy(budget: 1))
        #expect(p.outcome == .partial)
        #expect(p.partialReason?.contains("retry budget spent") == true)
        #expect(p.studies == 1, "the run stops at the transient failure")
    }

    @Test func everyStudyOfAWatch() async throws {
        let h = try harness()
        try h.store.addWatch(name: "covid", query: StudyQuery(cond: "COVID-19"))
        _ = try await h.engine().run([.watch(try h.store.watch(named: "covid"))])
        let ids = try h.store.studies(watch: "covid").map(\.nctId)
        #expect(!ids.isEmpty)
        let s = try await backfill(h, ids)
        #expect(s.studies == ids.count && s.failed == 0)
        #expect(s.matched == ids.count, "each synced version is its study's latest registry version")
        for id in ids {
            let versions = try h.store.versions(of: NCTID(id)!)
            #expect(versions.count == 2 && versions.last?.source == "sync")
        }
    }
}
