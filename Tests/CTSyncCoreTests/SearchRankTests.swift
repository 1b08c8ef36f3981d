import Foundation
import GRDB
import Testing

@testable import CTSyncCore

/// `ctsync_rank` against FTS5's own `bm25()` with the same weights, and the batched snippets against one query per hit.
@Suite struct SearchRankTests {
    /// FTS5's built-in bm25 with the weights of `SearchWeights`.
    static let bm25 = "bm25(search_fts, " + SearchWeights.columns.map { String($0.weight) }.joined(separator: ", ") + ")"

    /// (rowid, ctsync_rank, bm25) of every match of `expression`.
    static func scores(_ expression: String, in db: Database) throws -> [(id: Int64, rank: Double, bm25: Double)] {
        let rank = SearchWeights.rank(maxRowid: try Store.maxIndexRowid(in: db))
        return try Row.fetchAll(db, sql: """
            SELECT rowid AS id, \(rank) AS rank, \(bm25) AS bm FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid
            """, arguments: [expression]).map { ($0["id"], $0["rank"], $0["bm"]) }
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(a), abs(b)) }

    /// On the real records every phrase matches fewer studies than `exactCount`, so every IDF is exact and the
    /// score must be bm25's to the last digits, for words, phrases, prefixes, OR, NOT and column-filtered queries.
    @Test func onTheRealRecordsTheScoreIsFTS5sBm25() throws {
        let queries = ["cancer", "lung cancer", "\"non-small cell lung cancer\"", "diabetes OR melanoma",
                       "lymphoma NOT follicular", "covid", "pancrea*", "mesenchymal stem cells", "trial", "MSC OR MSCs"]
        try SearchTests.shared.read { db in
            var nonEmpty = 0
            for text in queries {
                let scores = try Self.scores(try SearchQuery(text).expression, in: db)
                if !scores.isEmpty { nonEmpty += 1 }
                for s in scores {
                    #expect(Self.close(s.rank, s.bm25), "\(text) rowid \(s.id): \(s.rank) vs bm25 \(s.bm25)")
                    #expect(s.rank < 0, "\(text) rowid \(s.id)")
                }
            }
            #expect(nonEmpty >= 8)
            let columns = try Self.scores("{conditions mesh interventions} : (\"covid-19\" OR \"stem cell\")", in: db)
            #expect(!columns.isEmpty)
            #expect(columns.allSatisfy { Self.close($0.rank, $0.bm25) })
        }
    }

    /// Above `exactCount` matches the count is estimated from the spacing of the first ones: exact for evenly spread
    /// matches, and the ranking of one phrase is bm25's whatever the estimate (the IDF is a common factor).
    @Test func aboveTheExactCountTheMatchesAreEstimatedFromTheirSpacing() throws {
        let store = try Store()
        let rows = 3 * Int(SearchRank.exactCount)
        try store.write { db in
            for i in 1...rows {
                var words = ["alpha"]
                if i % 3 == 0 { words.append("beta") }
                if i % 2 == 0 { words.append("gamma") }
                if i > 2 * rows / 3 { words.append("delta") }
                words += Array(repeating: "filler", count: i % 7)
                try db.execute(sql: "INSERT INTO search_facets (id, nct_id, profile) VALUES (?, ?, '{}')",
                               arguments: [i, "NCT\(90_000_000 + i)"])
                try db.execute(sql: "INSERT INTO search_fts (rowid, title, summary) VALUES (?, ?, ?)",
                               arguments: [i, words.joined(separator: " "), i % 5 == 0 ? "alpha" : ""])
            }
        }
        try store.read { db in
            // alpha: every row; beta: every third (exactly exactCount); delta: the last third — counted or spread
            // evenly, so the estimate is exact and so is the score.
            for text in ["alpha beta", "alpha delta", "beta OR delta", "alpha"] {
                let scores = try Self.scores(text, in: db)
                #expect(scores.count >= Int(SearchRank.exactCount), "\(text)")
                #expect(scores.allSatisfy { Self.close($0.rank, $0.bm25) }, "\(text)")
            }
            // gamma: every second row, 1,500 matches estimated as 1,500.25: one phrase, so the same order as bm25.
            let gamma = try Self.scores("gamma", in: db)
            #expect(gamma.count == rows / 2)
            let byRank = gamma.sorted { ($0.rank, $0.id) < ($1.rank, $1.id) }.map(\.id)
            let byBM25 = gamma.sorted { ($0.bm25, $0.id) < ($1.bm25, $1.id) }.map(\.id)
            #expect(byRank == byBM25)
            #expect(gamma.allSatisfy { abs($0.rank - $0.bm25) <= 1e-3 * abs($0.bm25) })
        }
    }

    @Test func theEstimateIsExactBelowTheCountAndCappedAtTheRows() {
        typealias C = SearchRank.PhraseCount
        #expect(SearchRank.estimatedMatches(C(count: 12, firstRowid: 5, lastRowid: 90), maxRowid: 10_000, rows: 9_000) == 12)
        let k = SearchRank.exactCount
        // k matches over 2k rowids from rowid 1: half the rows from there to the highest rowid.
        #expect(SearchRank.estimatedMatches(C(count: k, firstRowid: 1, lastRowid: 2 * k), maxRowid: 10 * k, rows: 10 * k)
                == Double(5 * k))
        // Dense matches in a table with gaps in its rowids: never more than the rows.
        #expect(SearchRank.estimatedMatches(C(count: k, firstRowid: 1, lastRowid: k), maxRowid: 10 * k, rows: 4 * k)
                == Double(4 * k))
        // A phrase in more than half of the rows gets FTS5's floor, not a negative IDF.
        #expect(SearchRank.idf(matches: 700, rows: 1_000) == 1e-6)
        #expect(SearchRank.idf(matches: 10, rows: 1_000) > 4)
    }

    /// Snippets fetched in chunks over a rowid range equal the snippet of each hit fetched alone.
    @Test func batchedSnippetsEqualOneQueryPerHit() throws {
        try SearchTests.shared.read { db in
            for text in ["cancer", "pancrea*", "\"stem cells\"", "diabetes OR melanoma"] {
                let expression = try SearchQuery(text).expression
                let ids = try Int64.fetchAll(db, sql: "SELECT rowid FROM search_fts WHERE search_fts MATCH ?",
                                             arguments: [expression])
                #expect(!ids.isEmpty, "\(text)")
                let batched = try Store.snippets(expression, rowids: ids.shuffled(), chunk: 7, in: db)
                #expect(batched.count == ids.count, "\(text)")
                for id in ids {
                    let alone = try String.fetchOne(db, sql: """
                        SELECT snippet(search_fts, -1, '[', ']', '…', 12) FROM search_fts
                        WHERE search_fts MATCH ? AND rowid = ?
                        """, arguments: [expression, id])
                    #expect(batched[id] == alone, "\(text) rowid \(id)")
                    #expect(alone?.contains("[") == true, "\(text) rowid \(id)")
                }
            }
        }
    }
}
