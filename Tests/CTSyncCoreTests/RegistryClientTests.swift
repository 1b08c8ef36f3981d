import CTSyncCore
import CTSyncFakeRegistry
import Foundation
import Testing

/// The client against a real HTTP server on loopback, over libcurl.
@Suite struct RegistryClientTests {
    @Test func followsPageTokensAndReportsTheTotal() async throws {
        let h = try Harness(maxPageSize: 40)
        defer { h.registry.stop() }
        let client = h.client()
        var ids: [String] = []
        let outcome = try await client.list(StudyQuery(term: "randomized"), pageSize: 1000) { page in
            ids += page.records.map(\.nctId.rawValue)
        }
        #expect(outcome.totalCount == 325)
        #expect(ids.count == 325)
        #expect(Set(ids).count == 325)
        #expect(outcome.pages == 9)
        // Later pages repeat the first page's parameters, with the token and without countTotal.
        let requests = h.registry.requests
        #expect(requests.count == 9)
        #expect(requests[0].parameters["countTotal"] == "true")
        for r in requests.dropFirst() {
            #expect(r.parameters["query.term"] == "randomized")
            #expect(r.parameters["pageToken"] != nil)
            #expect(r.parameters["countTotal"] == nil)
        }
        #expect(await client.requestCount == 9)
    }

    @Test func anEmptyPageEndsTheListingEvenWithAToken() async throws {
        let h = try Harness(maxPageSize: 40)
        defer { h.registry.stop() }
        h.registry.inject(.emptyPageWithToken)
        let outcome = try await h.client().list(StudyQuery(term: "randomized")) { _ in }
        #expect(outcome.pages == 1)
        #expect(outcome.received == 0)
        #expect(h.registry.requests.count == 1)
    }

    @Test(arguments: [
        FakeRegistry.Fault.status(429, retryAfter: "1"),
        .status(429),
        .status(500),
        .status(503),
        .status(403),
        .closeMidBody,
        .invalidJSON,
        .delay(4),
    ])
    func retriesTransientFaults(_ fault: FakeRegistry.Fault) async throws {
        let h = try Harness(maxPageSize: 100)
        defer { h.registry.stop() }
        h.registry.inject(fault, count: 2)
        let client = h.client(timeout: timeout(for: fault))
        var ids = Set<String>()
        let outcome = try await client.list(StudyQuery(term: "randomized")) { page in
            ids.formUnion(page.records.map(\.nctId.rawValue))
        }
        #expect(ids.count == 325)
        #expect(outcome.totalCount == 325)
        #expect(await client.retriesUsed == 2)
        #expect(await client.requestCount == 4 + 2)
    }

    @Test func honoursRetryAfter() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        h.registry.inject(.status(429, retryAfter: "1"))
        let start = Date()
        _ = try await h.client().list(StudyQuery(cond: "covid-19")) { _ in }
        #expect(Date().timeIntervalSince(start) >= 1)
    }

    @Test func spendingTheRetryBudgetStopsTheRun() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        h.registry.inject(.status(503), count: 10)
        let client = h.client(policy: Harness.fastPolicy(budget: 3))
        await #expect {
            try await client.list(StudyQuery(cond: "covid-19")) { _ in }
        } throws: { error in
            guard case FetchError.retryBudgetSpent = error else { return false }
            return (error as! FetchError).isTransient
        }
        #expect(await client.requestCount == 4)
    }

    @Test func giveUpAfterMaxAttempts() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        h.registry.inject(.status(500), count: 10)
        let client = h.client(policy: Harness.fastPolicy(attempts: 3))
        await #expect {
            try await client.list(StudyQuery(cond: "covid-19")) { _ in }
        } throws: { error in
            error.localizedDescription.contains("after 3 attempts: HTTP 500")
        }
    }

    @Test func badRequestIsNotRetriedAndCarriesTheRegistrysReason() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        let client = h.client()
        await #expect {
            try await client.list(StudyQuery(advanced: "AREA[Phase]PHASE3")) { _ in }
        } throws: { error in
            guard case FetchError.rejected(400, _, let message) = error else { return false }
            return message.contains("filter.advanced")
        }
        #expect(await client.requestCount == 1)
    }

    @Test func unknownStudyIs404WithoutRetry() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        let client = h.client()
        await #expect {
            try await client.study(NCTID("NCT99999999")!)
        } throws: { error in
            error.localizedDescription == "NCT99999999 is not in the registry (404 for \(h.registry.baseURL)/studies/NCT99999999)"
        }
        #expect(await client.requestCount == 1)
    }

    @Test func aliasFollowsThe301AndNamesTheCanonicalId() async throws {
        let h = try Harness()
        defer { h.registry.stop() }
        h.registry.addAlias("NCT00000042", canonical: "NCT04523987")
        let fetched = try await h.client().study(NCTID("NCT00000042")!)
        #expect(fetched.record.nctId.rawValue == "NCT04523987")
        #expect(fetched.aliasOf?.rawValue == "NCT00000042")
    }

    @Test func unreachableRegistryGivesUpWithCurlsReason() async throws {
        let h = try Harness()
        h.registry.stop()
        let client = RegistryClient(baseURL: h.registry.baseURL, transport: .curl(),
                                    policy: Harness.fastPolicy(attempts: 2))
        await #expect {
            try await client.study(NCTID("NCT04523987")!)
        } throws: { error in
            error.localizedDescription.contains("curl error 7")
        }
    }

    @Test func throttleSpacesRequests() async throws {
        let h = try Harness(maxPageSize: 100)
        defer { h.registry.stop() }
        var policy = Harness.fastPolicy()
        policy.requestsPerSecond = 10
        let start = Date()
        _ = try await h.client(policy: policy).list(StudyQuery(term: "randomized")) { _ in }  // 4 pages
        #expect(Date().timeIntervalSince(start) >= 0.3)
    }

    @Test func backoffGrowsAndIsCapped() {
        var p = RequestPolicy()
        p.backoffBase = 1
        p.backoffCap = 30
        #expect(p.delay(beforeRetry: 1, retryAfter: nil, jitter: 0.5) == 1)
        #expect(p.delay(beforeRetry: 3, retryAfter: nil, jitter: 0.5) == 4)
        #expect(p.delay(beforeRetry: 10, retryAfter: nil, jitter: 0.5) == 30)
        #expect(p.delay(beforeRetry: 1, retryAfter: nil, jitter: 0) == 0.75)
        #expect(p.delay(beforeRetry: 1, retryAfter: 7, jitter: 0) == 7)
        #expect(RequestPolicy.retryAfter("Wed, 21 Oct 2015 07:28:10 GMT",
                                         now: Date(timeIntervalSince1970: 1_445_412_480)) == 10)
    }
}
