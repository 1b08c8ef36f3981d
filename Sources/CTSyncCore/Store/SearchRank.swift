import Foundation
import GRDB
import GRDBSQLite

/// `ctsync_rank(search_fts, maxRowid)`: the bm25 score of FTS5's built-in `bm25()` with the column weights of
/// `SearchWeights`, except for how it learns how many studies match each phrase of the query.
///
/// bm25 weighs each phrase by its inverse document frequency (IDF), for which the built-in function counts every
/// study that matches the phrase, once per query: a scan of the phrase's whole posting list (163,000 studies for
/// `cancer` at 600,000 studies, with positions checked for a phrase such as `"non-small cell lung cancer"`). That
/// count cost more than ranking the matches themselves. This function counts at most `exactCount` matches of each
/// phrase: below that the IDF is exact, and above it the number of matches is estimated from how densely the first
/// `exactCount` of them lie among the rowids (matches from the phrase's first rowid to `maxRowid`, at the same
/// density). The estimate only changes the relative weight of the phrases of one query, and only between phrases that
/// each match more than `exactCount` studies; a query of one phrase ranks exactly as with `bm25()`.
///
/// Registered on every connection of a `Store` (`register(_:)`); the score is negative like `bm25()`'s, better
/// matches lower.
enum SearchRank {
    /// The SQL function name.
    static let name = "ctsync_rank"
    /// Matches of a phrase counted exactly before the rest are estimated.
    static let exactCount: Int64 = 1_000
    /// bm25's parameters, as FTS5 sets them.
    static let k1 = 1.2
    static let b = 0.75

    /// Registers the function on `db` (from `Configuration.prepareDatabase`).
    static func register(_ db: Database) throws {
        let api = FTS5.api(db)
        guard let create = api.pointee.xCreateFunction else { throw RankError.unavailable }
        let code = create(UnsafeMutablePointer(mutating: api), name, nil, rankFunction, nil)
        guard code == SQLITE_OK else { throw RankError.unavailable }
    }

    enum RankError: Error, CustomStringConvertible {
        case unavailable
        var description: String { "SQLite's FTS5 refused the ranking function \(SearchRank.name)" }
    }

    /// What one query computes once: the IDF of each phrase, the average row length, the column weights, and a
    /// scratch array for the per-row phrase frequencies.
    final class QueryData {
        let idf: [Double]
        let averageLength: Double
        let weights: [Double]
        var frequencies: [Double]

        init(idf: [Double], averageLength: Double, weights: [Double]) {
            self.idf = idf
            self.averageLength = averageLength
            self.weights = weights
            frequencies = Array(repeating: 0, count: idf.count)
        }
    }

    /// Counts matches of one phrase, stopping after `exactCount`; remembers the first and last rowid seen.
    struct PhraseCount {
        var count: Int64 = 0
        var firstRowid: Int64 = 0
        var lastRowid: Int64 = 0
    }

    /// The number of studies matching a phrase: exact when the count did not stop early, otherwise the density of
    /// the counted matches over their rowid span, extended to `maxRowid`, capped at the table's row count.
    static func estimatedMatches(_ c: PhraseCount, maxRowid: Int64, rows: Int64) -> Double {
        guard c.count >= exactCount, c.lastRowid > c.firstRowid else { return Double(c.count) }
        let density = Double(c.count) / Double(c.lastRowid - c.firstRowid + 1)
        let span = Double(max(maxRowid, c.lastRowid) - c.firstRowid + 1)
        return min(Double(rows), max(Double(c.count), density * span))
    }

    /// bm25's IDF, floored like FTS5's at 1e-6 for phrases in more than half of the rows.
    static func idf(matches: Double, rows: Int64) -> Double {
        let value = log((Double(rows) - matches + 0.5) / (matches + 0.5))
        return value > 0 ? value : 1e-6
    }

    private static let countCallback: @convention(c) (
        UnsafePointer<Fts5ExtensionApi>?, OpaquePointer?, UnsafeMutableRawPointer?
    ) -> Int32 = { api, fts, user in
        guard let api, let user else { return SQLITE_ERROR }
        let c = user.assumingMemoryBound(to: PhraseCount.self)
        let rowid = api.pointee.xRowid(fts)
        if c.pointee.count == 0 { c.pointee.firstRowid = rowid }
        c.pointee.lastRowid = rowid
        c.pointee.count += 1
        return c.pointee.count >= SearchRank.exactCount ? SQLITE_DONE : SQLITE_OK
    }

    private static let deleteQueryData: @convention(c) (UnsafeMutableRawPointer?) -> Void = { pointer in
        guard let pointer else { return }
        Unmanaged<QueryData>.fromOpaque(pointer).release()
    }

    /// The per-query data, computed on the first row and kept by FTS5 until the query ends.
    private static func queryData(_ api: UnsafePointer<Fts5ExtensionApi>, _ fts: OpaquePointer?,
                                  maxRowid: Int64) -> QueryData? {
        if let existing = api.pointee.xGetAuxdata(fts, 0) {
            return Unmanaged<QueryData>.fromOpaque(existing).takeUnretainedValue()
        }
        var rows: Int64 = 0
        var tokens: Int64 = 0
        guard api.pointee.xRowCount(fts, &rows) == SQLITE_OK,
              api.pointee.xColumnTotalSize(fts, -1, &tokens) == SQLITE_OK else { return nil }
        let phrases = Int(api.pointee.xPhraseCount(fts))
        var idf: [Double] = []
        idf.reserveCapacity(phrases)
        for i in 0..<phrases {
            var count = PhraseCount()
            guard api.pointee.xQueryPhrase(fts, Int32(i), &count, countCallback) == SQLITE_OK else { return nil }
            idf.append(SearchRank.idf(matches: estimatedMatches(count, maxRowid: maxRowid, rows: rows), rows: rows))
        }
        let data = QueryData(idf: idf, averageLength: Double(tokens) / Double(max(rows, 1)),
                             weights: SearchWeights.columns.map(\.weight))
        let opaque = Unmanaged.passRetained(data).toOpaque()
        guard api.pointee.xSetAuxdata(fts, opaque, deleteQueryData) == SQLITE_OK else { return nil }
        return data
    }

    private static let rankFunction: fts5_extension_function = { api, fts, context, argc, argv in
        guard let api else { return }
        let maxRowid = argc >= 1 && argv != nil ? sqlite3_value_int64(argv![0]) : 0
        guard let data = SearchRank.queryData(api, fts, maxRowid: maxRowid) else {
            sqlite3_result_error(context, "\(SearchRank.name): the full-text index could not be read", -1)
            return
        }
        for i in data.frequencies.indices { data.frequencies[i] = 0 }
        var instances: Int32 = 0
        guard api.pointee.xInstCount(fts, &instances) == SQLITE_OK else {
            sqlite3_result_error(context, "\(SearchRank.name): the full-text index could not be read", -1)
            return
        }
        for i in 0..<instances {
            var phrase: Int32 = 0, column: Int32 = 0, offset: Int32 = 0
            guard api.pointee.xInst(fts, i, &phrase, &column, &offset) == SQLITE_OK else { continue }
            let c = Int(column)
            data.frequencies[Int(phrase)] += c < data.weights.count ? data.weights[c] : 1
        }
        var length: Int32 = 0
        _ = api.pointee.xColumnSize(fts, -1, &length)
        let norm = SearchRank.k1 * (1 - SearchRank.b + SearchRank.b * Double(length) / data.averageLength)
        var score = 0.0
        for (i, f) in data.frequencies.enumerated() where f > 0 {
            score += data.idf[i] * (f * (SearchRank.k1 + 1)) / (f + norm)
        }
        sqlite3_result_double(context, -score)
    }
}
