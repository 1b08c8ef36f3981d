import CTSyncFakeRegistry
import Foundation
import GRDB
import Testing

@testable import CTSyncCore

/// What keeps search and similar bounded at registry scale: the ranked-match window, the `search_terms` postings
/// and the profile reader, each checked against the exhaustive answer on the real records.
@Suite struct SearchScaleTests {
    static var store: Store { SearchTests.shared }

    /// `search_facets` id → NCT id, and every stored profile.
    static func facets(_ store: Store) throws -> [(id: Int64, nctId: String, profile: String)] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT id, nct_id, profile FROM search_facets ORDER BY id").map {
                ($0["id"], $0["nct_id"], $0["profile"])
            }
        }
    }

    @Test func theStoredProfileReadsBackAsJSONDecoderReadsIt() throws {
        for (_, nctId, text) in try Self.facets(Self.store) {
            let decoded = try JSONDecoder().decode(SimilarityProfile.self, from: Data(text.utf8))
            #expect(try SimilarityProfile(storedJSON: text) == decoded, "\(nctId)")
        }
    }

    /// The postings of a study are exactly its profile's terms, after an insert, a new version and a rebuild.
    @Test func postingsFollowTheLatestProfile() throws {
        func expected(_ p: SimilarityProfile) -> Set<String> {
            Set(p.conditionMesh.keys.map { "cm:" + $0 } + p.conditionAncestors.keys.map { "ca:" + $0 }
                + p.conditions.keys.map { "ct:" + $0 } + p.interventionMesh.keys.map { "im:" + $0 }
                + p.interventionNames.keys.map { "in:" + $0 })
        }
        func check(_ store: Store) throws {
            let facets = try Self.facets(store)
            let rows = try store.read { db in try Row.fetchAll(db, sql: "SELECT term, study FROM search_terms") }
            var stored: [Int64: Set<String>] = [:]
            for row in rows { stored[row["study"], default: []].insert(row["term"]) }
            #expect(Set(stored.keys).isSubset(of: Set(facets.map(\.id))))
            for f in facets {
                #expect(stored[f.id, default: []] == expected(try SimilarityProfile(storedJSON: f.profile)), "\(f.nctId)")
            }
        }
        let original = RealStudies.study("NCT04431453")
        let other = RealStudies.study("NCT04523987")
        let store = try SearchTests.store([original, other])
        try check(store)
        let changed = RecordRecipes.status(original, to: "COMPLETED", posted: "2031-02-03")
            .setting(path: "protocolSection.conditionsModule.conditions", to: .array([.string("Zorbelitis")]))
            .removing(path: "derivedSection.conditionBrowseModule")
        _ = try store.record([try StudyRecord(json: changed)], source: .sync)
        try check(store)
        let terms = try store.read { db in try String.fetchAll(db, sql: "SELECT term FROM search_terms") }
        #expect(terms.contains("ct:zorbelitis"))
        // Two more versions of one study and a new study in one batch: only the last version's postings stay.
        let second = RecordRecipes.status(changed, to: "TERMINATED", posted: "2031-03-04")
            .setting(path: "protocolSection.conditionsModule.conditions", to: .array([.string("Quorbelitis")]))
        let third = RecordRecipes.status(second, to: "WITHDRAWN", posted: "2031-04-05")
            .setting(path: "protocolSection.conditionsModule.conditions", to: .array([.string("Vexamia")]))
        let new = try #require(RealStudies.all.first { ![original, other].contains($0) })
        let outcomes = try store.record([second, new, third].map { try StudyRecord(json: $0) }, source: .sync)
        #expect(outcomes.count == 3)
        try check(store)
        let after = try store.read { db in try String.fetchAll(db, sql: "SELECT term FROM search_terms") }
        #expect(after.contains("ct:vexamia") && !after.contains("ct:quorbelitis") && !after.contains("ct:zorbelitis"))
        #expect(try store.reindexSearch() == 3)
        try check(store)
    }

    /// The postings `indexLatest` writes from `SimilarityProfile.postingTerms` are the rows of the
    /// `search_profile_terms` view, their definition (the triggers of migration v5 inserted those rows).
    static func checkPostingsEqualTheView(_ store: Store) throws -> Int {
        try store.read { db in
            var view: [Int64: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT term, study FROM search_profile_terms") {
                view[row["study"], default: []].append(row["term"])
            }
            var stored: [Int64: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT term, study FROM search_terms") {
                stored[row["study"], default: []].append(row["term"])
            }
            #expect(stored.keys.sorted() == view.keys.sorted())
            for (study, terms) in view {
                #expect(stored[study, default: []].sorted() == Set(terms).sorted(), "study \(study)")
            }
            return stored.values.reduce(0) { $0 + $1.count }
        }
    }

    /// For every real record, the terms the search document carries are the view's rows for its stored profile,
    /// and the stored postings are both.
    @Test func postingTermsEqualTheViewOnEveryRealRecord() throws {
        let store = Self.store
        #expect(try Self.checkPostingsEqualTheView(store) > 1000)
        let view = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.nct_id, t.term FROM search_profile_terms t JOIN search_facets f ON f.id = t.study
                """).reduce(into: [String: Set<String>]()) { $0[$1["nct_id"], default: []].insert($1["term"]) }
        }
        var checked = 0
        for json in RealStudies.all {
            let record = try StudyRecord(json: json)
            let doc = SearchDocument(json: json, summary: StudySummary(record: record))
            #expect(doc.postingTerms.count == Set(doc.postingTerms).count, "\(doc.nctId)")
            #expect(Set(doc.postingTerms) == view[doc.nctId, default: []], "\(doc.nctId)")
            #expect(doc.storedProfile == doc.profile.storedJSON, "\(doc.nctId)")
            checked += 1
        }
        #expect(checked > 300)
    }

    /// Keys that JSON escapes or SQLite could read differently (quotes, backslashes, control characters, NUL,
    /// emoji, combining marks, an empty key) give the view's rows too, on insert, on a new version and on a rebuild.
    @Test func postingTermsEqualTheViewOnHostileKeys() throws {
        let keys = ["quo\"te", "back\\slash", "tab\there", "nl\nx", "\u{1}ctl", "a\u{0}b", "a\u{0}c", "😀 emoji", "é",
                    "e\u{301}", "中文", "\u{2028}sep", "\u{FEFF}bom", "", "  ", "cm:nested", "/slash", "{\"json\": 1}",
                    "\u{7F}del", "x\u{200B}y"]
        func meshes(_ keys: [String], _ tag: String) -> JSONValue {
            .array(keys.enumerated().map { n, k in
                .object(["id": n % 3 == 0 ? .null : .string(k + tag), "term": .string("Term " + k + tag)])
            })
        }
        func hostile(_ base: JSONValue, tag: String) -> JSONValue {
            base.setting(path: "derivedSection.conditionBrowseModule.meshes", to: meshes(keys, tag))
                .setting(path: "derivedSection.conditionBrowseModule.ancestors", to: meshes(keys.reversed(), tag))
                .setting(path: "derivedSection.interventionBrowseModule.meshes", to: meshes(keys, tag + "i"))
                .setting(path: "protocolSection.conditionsModule.conditions", to: .array(keys.map { .string($0 + tag) }))
        }
        let original = RealStudies.study("NCT04431453")
        let other = RealStudies.study("NCT04523987")
        let store = try SearchTests.store([hostile(original, tag: ""), hostile(other, tag: "2"), RealStudies.study("NCT00184067")])
        #expect(try Self.checkPostingsEqualTheView(store) > 100)
        let changed = RecordRecipes.status(hostile(original, tag: "3"), to: "COMPLETED", posted: "2031-02-03")
        _ = try store.record([try StudyRecord(json: changed)], source: .sync)
        _ = try Self.checkPostingsEqualTheView(store)
        let terms = try store.read { db in try String.fetchAll(db, sql: "SELECT term FROM search_terms") }
        #expect(terms.contains("ct:quo te3") && !terms.contains("ct:quo te"))
        #expect(try store.reindexSearch() == 3)
        _ = try Self.checkPostingsEqualTheView(store)
    }

    /// With every posting within the budget, `similar` gives what scoring every study sharing a term (and the text
    /// candidates that fill the slots left) gives.
    @Test func similarEqualsExhaustiveScoring() throws {
        let store = Self.store
        let facets = try Self.facets(store)
        let profiles = try facets.map { try SimilarityProfile(storedJSON: $0.profile) }
        let titles = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT nct_id, brief_title FROM studies").reduce(into: [String: String]()) {
                $0[$1["nct_id"]] = $1["brief_title"]
            }
        }
        func keys(_ p: SimilarityProfile) -> Set<String> {
            Set(p.conditionMesh.keys.map { "cm:" + $0 } + p.conditionAncestors.keys.map { "ca:" + $0 }
                + p.conditions.keys.map { "ct:" + $0 } + p.interventionMesh.keys.map { "im:" + $0 }
                + p.interventionNames.keys.filter { !Similarity.uninformativeNames.contains($0) }.map { "in:" + $0 })
        }
        let weights = SimilarityWeights()
        for k in stride(from: 0, to: facets.count, by: max(1, facets.count / 15)) {
            let target = profiles[k]
            var expected: [(id: String, score: Double)] = []
            let text = Set(try store.read { db in try Store.textCandidates(of: target, weights: weights, in: db) })
            for (j, p) in profiles.enumerated()
            where j != k && (!keys(target).isDisjoint(with: keys(p)) || text.contains(facets[j].id)) {
                let s = Similarity.score(target, p, weights: weights).score
                if s > 0 { expected.append((facets[j].nctId, (s * 100).rounded() / 100)) }
            }
            expected.sort { ($0.score, $1.id) > ($1.score, $0.id) }
            let found = try store.similar(to: NCTID(facets[k].nctId)!, limit: 10)
            #expect(found.map(\.nctId) == expected.prefix(10).map(\.id), "\(facets[k].nctId)")
            #expect(found.map(\.score) == expected.prefix(10).map(\.score), "\(facets[k].nctId)")
            #expect(found.allSatisfy { titles[$0.nctId] == $0.title })
        }
    }

    /// With more matches than the window, the hits are the best of the newest matches: the same scores as
    /// ranking everything, restricted to the window. With a filter, the window is the newest text matches, or the
    /// newest filtered matches when the first holds fewer hits than the limit.
    @Test func aCommonWordIsRankedWithinTheNewestMatches() throws {
        let store = Self.store
        let ids = Dictionary(uniqueKeysWithValues: try Self.facets(store).map { ($0.nctId, $0.id) })
        func best(_ hits: [SearchHit], newest: Int) -> [SearchHit] {
            Array(hits.sorted { ids[$0.nctId]! > ids[$1.nctId]! }.prefix(newest)
                .sorted { ($0.score, $1.nctId) > ($1.score, $0.nctId) }.prefix(3))
        }
        var completed = SearchFilter(); completed.statuses = ["COMPLETED"]
        var recruiting = SearchFilter(); recruiting.statuses = ["RECRUITING"]
        for (text, filter) in [("cancer", SearchFilter()), ("cancer", completed), ("cancer", recruiting),
                               ("patients", SearchFilter()), ("patients", completed)] {
            let query = try SearchQuery(text)
            let text = text + " \(filter.statuses)"
            let all = try store.search(query, filter: filter, limit: nil)
            let unfiltered = try store.search(query, limit: nil)
            #expect(all.count > 8, "\(text)")
            let expected: [SearchHit]
            if filter.statuses.isEmpty {
                expected = best(all, newest: 8)
            } else {
                let window = Set(unfiltered.sorted { ids[$0.nctId]! > ids[$1.nctId]! }.prefix(16).map(\.nctId))
                let inWindow = all.filter { window.contains($0.nctId) }
                expected = inWindow.count >= 3 ? best(inWindow, newest: 16) : best(all, newest: 8)
            }
            let found = try store.search(query, filter: filter, limit: 3, rankedMatches: 8, filteredMatches: 16)
            #expect(found.map(\.nctId) == expected.map(\.nctId), "\(text)")
            #expect(found.map(\.score) == expected.map(\.score), "\(text)")
            #expect(found.allSatisfy { !$0.snippet.isEmpty })
            // Windows wider than the matches rank them all.
            let wide = try store.search(query, filter: filter, limit: 3, rankedMatches: unfiltered.count + 1,
                                        filteredMatches: unfiltered.count + 1)
            #expect(wide.map(\.nctId) == all.prefix(3).map(\.nctId), "\(text)")
        }
    }
}
