import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing

/// The whole trip through the library: registry on loopback → pages → versions in SQLite → diff.
@Suite struct SyncEngineTests {
    /// 325 real studies mention "randomized": with 60-study pages that is 6 pages.
    let query = StudyQuery(term: "randomized")

    private func watch(_ h: Harness) throws -> Watch {
        try? h.store.addWatch(name: "rand", query: query)
        return try h.store.watch(named: "rand")
    }

    @Test func firstSyncStoresEveryStudyThenResyncFetchesOnlyTheIncrement() async throws {
        let h = try Harness(maxPageSize: 60)
        defer { h.registry.stop() }
        let first = try await h.engine().run([.watch(try watch(h))])
        #expect(first.outcome == .ok)
        #expect(first.fetched == 325)
        #expect(first.new == 325)
        #expect(first.requests == 6)
        #expect(first.targets.first?.totalCount == 325)
        #expect(first.targets.first?.gap == nil)
        #expect(try h.store.totals().versions == 325)
        #expect(try h.store.studies(watch: "rand").count == 325)

        let cursor = try h.store.watch(named: "rand").cursor
        #expect(cursor != nil)
        h.registry.clearRequests()
        let second = try await h.engine().run([.watch(try watch(h))])
        #expect(second.outcome == .ok)
        #expect(second.new == 0)
        #expect(second.changed == 0)
        #expect(second.requests == 1)
        let request = try #require(h.registry.requests.first)
        #expect(request.parameters["query.term"] == "randomized")
        let dayBefore = try #require(cursor.map { Self.dayBefore($0) })
        #expect(request.parameters["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[\(dayBefore),MAX]")
        #expect(try h.store.totals().versions == 325)
    }

    @Test func changedRecordsGetExactlyOneNewVersionEach() async throws {
        let h = try Harness(maxPageSize: 60)
        defer { h.registry.stop() }
        _ = try await h.engine().run([.watch(try watch(h))])

        // Derived in code from four real records: status, enrollment, a criterion, a contact.
        let posted = "2030-01-15"
        let ids = try h.store.studies(watch: "rand").map(\.nctId)
        let picked = Array(ids.prefix(4))
        let r = h.registry
        let status = r.study(picked[0])![path: "protocolSection.statusModule.overallStatus"]?.stringValue
        r.put(RecordRecipes.status(r.study(picked[0])!, to: status == "SUSPENDED" ? "COMPLETED" : "SUSPENDED", posted: posted))
        r.put(RecordRecipes.enrollment(r.study(picked[1])!, count: 12_345, type: "ACTUAL", posted: posted))
        r.put(RecordRecipes.addInclusionCriterion(r.study(picked[2])!, "Able to walk 100 metres unaided", posted: posted))
        r.put(RecordRecipes.contactEmail(r.study(picked[3])!, to: "new.contact@example.org", posted: posted))

        let summary = try await h.engine().run([.watch(try watch(h))])
        #expect(summary.changed == 4)
        #expect(summary.new == 0)
        let counts = try h.versionCounts()
        #expect(counts.filter { $0.value == 2 }.keys.sorted() == picked.sorted())
        #expect(counts.values.reduce(0, +) == 325 + 4)
        #expect(try h.store.watch(named: "rand").cursor == posted)

        func changedPaths(_ id: String) throws -> [String] {
            let (_, old) = try h.store.document(of: NCTID(id)!, version: 1)
            let (_, new) = try h.store.document(of: NCTID(id)!, version: 2)
            return JSONDiff.diff(old, new).map(\.path)
        }
        let lastUpdate = "protocolSection.statusModule.lastUpdatePostDateStruct.date"
        #expect(try changedPaths(picked[0]).contains("protocolSection.statusModule.overallStatus"))
        #expect(try changedPaths(picked[0]).contains(lastUpdate))
        #expect(try changedPaths(picked[1]).contains("protocolSection.designModule.enrollmentInfo.count"))
        #expect(try changedPaths(picked[2]).contains("protocolSection.eligibilityModule.eligibilityCriteria"))
        #expect(try changedPaths(picked[3]).contains { $0.hasPrefix("protocolSection.contactsLocationsModule.centralContacts") })
        for id in picked {
            #expect(try changedPaths(id).allSatisfy { $0.hasPrefix("protocolSection.") })
        }
    }

    @Test func onlyVolatileChangesAddNoVersion() async throws {
        let h = try Harness(maxPageSize: 200)
        defer { h.registry.stop() }
        _ = try await h.engine().run([.query(query)])
        for id in h.registry.ids.prefix(20) {
            h.registry.put(RecordRecipes.versionHolder(h.registry.study(id)!, to: "2031-06-30"))
        }
        let again = try await h.engine().run([.query(query)])
        #expect(again.new == 0)
        #expect(again.changed == 0)
        #expect(again.unchanged == 325)
    }

    @Test(arguments: [
        FakeRegistry.Fault.status(429, retryAfter: "1"), .status(429), .status(500), .status(503),
        .delay(4), .closeMidBody, .invalidJSON,
    ])
    func eachFaultEitherCompletesOrEndsPartialAndTheNextRunCompletes(_ fault: FakeRegistry.Fault) async throws {
        let h = try Harness(maxPageSize: 60)
        defer { h.registry.stop() }
        // Enough faults to spend a small budget: the run ends partial midway.
        h.registry.inject(fault, count: 1)
        let w = try watch(h)
        let tolerant = try await h.engine(timeout: timeout(for: fault)).run([.watch(w)])
        #expect(tolerant.outcome == .ok)
        #expect(tolerant.new == 325)

        let h2 = try Harness(maxPageSize: 60)
        defer { h2.registry.stop() }
        let w2 = try watch(h2)
        _ = try await h2.engine(timeout: timeout(for: fault)).run([.watch(w2)])  // complete, cursor set
        // Change studies on the registry, then fail hard on the second page of the increment.
        for id in try h2.store.studies(watch: "rand").map(\.nctId).prefix(150) {
            h2.registry.put(RecordRecipes.status(h2.registry.study(id)!, to: "SUSPENDED", posted: "2030-05-05"))
        }
        h2.registry.clearRequests()
        let cursorBefore = try h2.store.watch(named: "rand").cursor
        var p = Harness.fastPolicy(budget: 2, attempts: 3)
        p.maxRetryAfter = 0.01
        // The first page goes through; the faults hit the second one until the budget is spent.
        let engine = h2.engine(policy: p, timeout: timeout(for: fault))
        h2.registry.inject(.delay(0), count: 1)
        h2.registry.inject(fault, count: 3)
        let partial = try await engine.run([.watch(try h2.store.watch(named: "rand"))])
        #expect(partial.outcome == .partial)
        #expect(partial.partialReason != nil)
        #expect(try h2.store.watch(named: "rand").cursor == cursorBefore)  // the cursor did not move

        let storedSoFar = partial.changed
        let done = try await h2.engine(timeout: timeout(for: fault)).run([.watch(try h2.store.watch(named: "rand"))])
        #expect(done.outcome == .ok)
        let counts = try h2.versionCounts()
        let changedStudies = counts.filter { $0.value == 2 }.count
        #expect(storedSoFar + done.changed == changedStudies)
        #expect(counts.values.allSatisfy { $0 <= 2 })
        #expect(try h2.store.integrityCheck() == "ok")
    }

    @Test func aBadRecordIsReportedAndTheOthersAreStored() async throws {
        let h = try Harness(maxPageSize: 100)
        defer { h.registry.stop() }
        // A real study whose NCT id is garbled, served among the others.
        let source = try #require(RealStudies.all.first { $0.compactString().lowercased().contains("randomized") })
        let broken = source.setting(path: "protocolSection.identificationModule.nctId", to: .string("NCT-not-an-id"))
        h.registry.put(broken, as: "NCT00000000-broken")
        let summary = try await h.engine().run([.query(query)])
        #expect(summary.failed == 1)
        #expect(summary.new == 325)
        #expect(summary.errors.contains { $0.contains("protocolSection.identificationModule.nctId: not an NCT id: \"NCT-not-an-id\"") })
        #expect(summary.outcome == .ok)
    }

    @Test func aListingShorterThanItsTotalIsAGapNeverSilent() async throws {
        let h = try Harness(maxPageSize: 100)
        defer { h.registry.stop() }
        h.registry.totalCountBonus = 7
        let w = try watch(h)
        let summary = try await h.engine().run([.watch(w)])
        #expect(summary.outcome == .partial)
        #expect(summary.targets.first?.gap == 7)
        #expect(summary.new == 325)
        #expect(try h.store.watch(named: "rand").cursor == nil)
    }

    @Test func explicitIdsFollowAliasesAndReport404s() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        h.registry.addAlias("NCT00000042", canonical: "NCT04523987")
        let summary = try await h.engine().run([.ids([NCTID("NCT00000042")!, NCTID("NCT99999999")!, NCTID("NCT00763412")!])])
        #expect(summary.new == 2)
        #expect(summary.failed == 1)
        #expect(summary.errors == ["NCT99999999 is not in the registry (404 for \(h.registry.baseURL)/studies/NCT99999999)"])
        #expect(try h.store.resolve(NCTID("NCT00000042")!).rawValue == "NCT04523987")
        #expect(try h.store.versions(of: NCTID("NCT00000042")!).count == 1)
    }

    static func dayBefore(_ day: String) -> String {
        let f = DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: f.date(from: day)!.addingTimeInterval(-86_400))
    }
}

/// A study that does not normalize is reported with its id and path, and the others are stored.
@Suite struct SyncBadRecordTests {
    @Test func aStringWhereANumberBelongsFailsOnlyThatStudy() async throws {
        let h = try Harness(maxPageSize: 100)
        defer { h.registry.stop() }
        let id = "NCT00033839"
        // Derived from the real record: its enrollment count is a string.
        h.registry.put(h.registry.study(id)!.setting(path: "protocolSection.designModule.enrollmentInfo.count", to: .string("ten")))
        let summary = try await h.engine().run([.query(StudyQuery(term: "randomized"))])
        #expect(summary.failed == 1)
        #expect(summary.new == 324)
        #expect(summary.errors.contains { $0.hasPrefix("\(id): protocolSection.designModule.enrollmentInfo.count: expected a number") })
        #expect(throws: StoreError.self) { try h.store.versions(of: NCTID(id)!) }
        let ids = try await h.engine().run([.ids([NCTID(id)!])])
        #expect(ids.failed == 1)
    }
}
