import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing

/// Reconciliation, full listings, removed studies and aliases: what the incremental filter misses.
@Suite struct ReconcileTests {
    private func setUp(_ h: Harness, name: String = "diabetes", query: StudyQuery = StudyQuery(cond: "diabetes"),
                       budget: Int? = nil) async throws {
        try h.store.addWatch(name: name, query: query)
        if let budget { try h.store.setReconcileBudget(watch: name, budget) }
        let first = try await h.engine().run([.watch(try h.store.watch(named: name))])
        #expect(first.outcome == .ok)
    }

    private func engine(_ h: Harness, full: Bool = false, reconcile: Int? = nil, idsPerRequest: Int = 1000) -> SyncEngine {
        var options = SyncEngine.Options()
        options.full = full
        options.reconcile = reconcile
        options.idsPerRequest = idsPerRequest
        return SyncEngine(store: h.store, client: h.client(), options: options)
    }

    private func run(_ h: Harness, _ engine: SyncEngine, _ name: String = "diabetes") async throws -> SyncSummary {
        try await engine.run([.watch(try h.store.watch(named: name))])
    }

    /// A registry-side change that keeps the posting date: the study flips to UNKNOWN, as the registry does for
    /// overdue studies.
    private func flipToUnknownSilently(_ h: Harness, _ id: String) {
        let study = h.registry.study(id)!
        h.registry.put(study.setting(path: "protocolSection.statusModule.overallStatus", to: .string("UNKNOWN")))
    }

    @Test func reconcileCatchesAChangeWithoutANewPostingDate() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        try await setUp(h)
        let members = try h.store.members(of: "diabetes").sorted()
        #expect(members.count == 113)
        let target = members[57]
        flipToUnknownSilently(h, target)

        let incremental = try await run(h, engine(h))
        #expect(incremental.changed == 0)  // the cursor filter cannot see it

        h.registry.clearRequests()
        let reconciled = try await run(h, engine(h, reconcile: 113))
        #expect(reconciled.changed == 1)
        #expect(reconciled.reconciled == 113)
        #expect(try h.store.versions(of: NCTID(target)!).last?.overallStatus == "UNKNOWN")
        // One incremental request, one filter.ids request for all 113.
        #expect(h.registry.requests.count == 2)
        #expect(h.registry.requests.last?.parameters["filter.ids"]?.split(separator: ",").count == 113)
    }

    @Test func aSmallBudgetWorksThroughTheWatchOldestFirst() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        try await setUp(h)
        let afterFirstSync = try #require(try h.store.status(ofWatch: "diabetes").oldestLastChecked)
        try h.store.setReconcileBudget(watch: "diabetes", 40)  // the watch's own setting: no flag needed
        let target = try h.store.members(of: "diabetes").sorted()[100]
        flipToUnknownSilently(h, target)
        var caught = 0
        for night in 1...3 {
            let before = try h.store.leastRecentlyChecked(watch: "diabetes", limit: 40)
            let summary = try await run(h, engine(h))
            #expect(summary.reconciled == 40)
            caught += summary.changed
            // Tonight's 40 are now the most recently checked.
            let after = try h.store.leastRecentlyChecked(watch: "diabetes", limit: 113)
            #expect(Array(after.suffix(40)).sorted() == before.sorted() || night == 3)
        }
        // Every study was re-checked within ceil(113 / 40) = 3 nights, and the silent change was caught.
        let oldest = try #require(try h.store.status(ofWatch: "diabetes").oldestLastChecked)
        #expect(oldest > afterFirstSync)
        #expect(caught == 1)
    }

    @Test func aReconcileStoppedMidwayResumesWhereItStopped() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        try await setUp(h)
        let order = try h.store.leastRecentlyChecked(watch: "diabetes", limit: 113).map(\.rawValue)
        // The incremental request and the first ids request go through; the second ids request keeps failing.
        h.registry.inject(.delay(0), count: 2)
        h.registry.inject(.status(503), count: 6)
        var options = SyncEngine.Options()
        options.reconcile = 113
        options.idsPerRequest = 30
        let failing = SyncEngine(store: h.store, client: h.client(policy: Harness.fastPolicy(budget: 2, attempts: 3)),
                                 options: options)
        let partial = try await failing.run([.watch(try h.store.watch(named: "diabetes"))])
        #expect(partial.outcome == .partial)
        // The first 30 were checked; the next run starts with the 31st.
        // (The incremental pass re-fetched a few studies too: they count as checked and go last.)
        let next = try h.store.leastRecentlyChecked(watch: "diabetes", limit: 83).map(\.rawValue)
        #expect(Set(next) == Set(order[30...]))
    }

    @Test func fullListingMarksAStudyThatLeftTheQueryAndKeepsIt() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        try await setUp(h)
        let id = try h.store.members(of: "diabetes").sorted()[3]
        // Derived from the real record: its conditions, keywords and condition MeSH terms no longer mention diabetes.
        let study = h.registry.study(id)!
            .setting(path: "protocolSection.conditionsModule.conditions", to: .array([.string("Hypertension")]))
            .setting(path: "protocolSection.conditionsModule.keywords", to: .array([]))
            .setting(path: "derivedSection.conditionBrowseModule.meshes", to: .array([]))
        h.registry.put(RecordRecipes.status(study, to: "COMPLETED", posted: "2031-01-01"))

        let summary = try await run(h, engine(h, full: true))
        #expect(summary.left == 1)
        #expect(summary.removed == 0)
        #expect(try h.store.members(of: "diabetes").count == 112)
        #expect(try h.store.versions(of: NCTID(id)!).count == 2)  // kept, and its new version stored
        let status = try h.store.status(ofWatch: "diabetes")
        #expect(status.left == [id])
        #expect(status.lastFullListing != nil)
        #expect(try h.store.events().map(\.kind) == [.leftWatch])

        // It comes back: marked as returned.
        h.registry.put(RecordRecipes.status(h.registry.study(id)!
            .setting(path: "protocolSection.conditionsModule.conditions", to: .array([.string("Type 2 Diabetes")])),
            to: "COMPLETED", posted: "2031-01-02"))
        let back = try await run(h, engine(h))
        #expect(back.returned == 1)
        #expect(try h.store.members(of: "diabetes").count == 113)
    }

    @Test func aStudyThe404sIsRemovedFromRegistryAndKept() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        try await setUp(h)
        let id = try h.store.members(of: "diabetes").sorted()[10]
        h.registry.remove(id)
        let summary = try await run(h, engine(h, full: true))
        #expect(summary.removed == 1)
        #expect(summary.left == 0)
        #expect(try h.store.versions(of: NCTID(id)!).count == 1)
        #expect(try h.store.status(ofWatch: "diabetes").removed == [id])
        let events = try h.store.events()
        #expect(events.map(\.kind) == [.removedFromRegistry])
        #expect(events.first?.nctId == id)
        // Reconciliation by id finds the same, without a full listing.
        let h2 = try Harness()
        defer { h2.registry.stop() }
        try await setUp(h2)
        h2.registry.remove(id)
        let r = try await run(h2, engine(h2, reconcile: 200))
        #expect(r.removed == 1)
    }

    @Test func anIdThatBecomesAnAliasContinuesItsHistoryUnderTheCanonicalId() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        try await setUp(h)
        let old = try h.store.members(of: "diabetes").sorted()[20]
        // Derived from the real record: merged into a new id that lists the old one as its alias.
        let canonical = "NCT09900001"
        let merged = RecordRecipes.status(h.registry.study(old)!, to: "RECRUITING", posted: "2031-02-02")
            .setting(path: "protocolSection.identificationModule.nctId", to: .string(canonical))
            .setting(path: "protocolSection.identificationModule.nctIdAliases", to: .array([.string(old)]))
        h.registry.remove(old)
        h.registry.put(merged)
        h.registry.addAlias(old, canonical: canonical)

        let summary = try await run(h, engine(h, full: true))
        #expect(summary.aliased == 1)
        #expect(summary.new == 0)
        #expect(summary.removed == 0)
        #expect(summary.left == 0)
        let versions = try h.store.versions(of: NCTID(canonical)!)
        #expect(versions.map(\.version) == [1, 2])
        #expect(versions.allSatisfy { $0.nctId == canonical })
        #expect(try h.store.versions(of: NCTID(old)!).map(\.nctId) == [canonical, canonical])
        #expect(try h.store.members(of: "diabetes").contains(canonical))
        #expect(try !h.store.members(of: "diabetes").contains(old))
        #expect(try h.store.integrityCheck() == "ok")
    }

    @Test func anAliasFoundByReconcilingIsFollowedToo() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        try await setUp(h)
        let old = try h.store.members(of: "diabetes").sorted()[30]
        let canonical = "NCT09900002"
        h.registry.remove(old)
        h.registry.put(h.registry.study(old) ?? RealStudies.study(old)
            .setting(path: "protocolSection.identificationModule.nctId", to: .string(canonical))
            .setting(path: "protocolSection.identificationModule.nctIdAliases", to: .array([.string(old)])))
        h.registry.addAlias(old, canonical: canonical)
        let summary = try await run(h, engine(h, reconcile: 200))
        #expect(summary.aliased == 1)
        #expect(summary.removed == 0)
        #expect(try h.store.versions(of: NCTID(canonical)!).count == 2)
    }
}
