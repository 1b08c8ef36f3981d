import Foundation
import GRDB

/// The search index: `search_facets` (filters and similarity profiles) and `search_fts` (FTS5, porter stemming,
/// unicode61 without diacritics), one row each per study, always for its latest version.
extension Store {
    // MARK: - Index maintenance

    /// Replaces the index entry of `doc.nctId` by `doc`, in the caller's transaction.
    ///
    /// Called from `upsertState`, so every path that writes a study's latest version (sync, import, history
    /// backfill) keeps the index in step; the old text and postings are deleted first, so nothing stale remains.
    /// `postings: false` leaves `search_terms` alone (migration v4 rebuilds the index before the table exists).
    /// With `pending`, the new postings are gathered there and written when the caller's batch is done
    /// (`PendingPostings.write`) instead of one statement per term now.
    static func indexLatest(_ doc: SearchDocument, postings: Bool = true, pending: PendingPostings? = nil,
                            in db: Database) throws {
        func facets(_ b: inout FastStatement.Bindings) {
            b.text(doc.nctId); b.text(doc.overallStatus); b.text(bars(doc.phases)); b.text(doc.studyType)
            b.text(bars(doc.countries.map { $0.lowercased() })); b.int(doc.hasResults ? 1 : 0)
            b.text(doc.startDate.map(SearchFilter.dateKey)); b.text(doc.allocation); b.text(doc.primaryPurpose)
            b.text(doc.storedProfile)
        }
        let existing = try FastStatement(db, "SELECT id FROM search_facets WHERE nct_id = ?")
            .first({ $0.text(doc.nctId) }) { $0.int64(0) }
        let rowid: Int64
        if let existing {
            if postings {
                // The old profile's terms, as the view reads them from the stored profile (the primary key is
                // (term, study): the terms find the rows).
                try db.cachedStatement(sql: """
                    DELETE FROM search_terms
                    WHERE study = ?1 AND term IN (SELECT term FROM search_profile_terms WHERE study = ?1)
                    """).execute(arguments: [existing])
            }
            pending?.discard(study: existing)
            try db.cachedStatement(sql: "DELETE FROM search_fts WHERE rowid = ?").execute(arguments: [existing])
            try FastStatement(db, """
                UPDATE search_facets SET nct_id = ?, overall_status = ?, phases = ?, study_type = ?, countries = ?,
                    has_results = ?, start_key = ?, allocation = ?, primary_purpose = ?, profile = ?
                WHERE id = ?
                """).execute {
                    facets(&$0)
                    $0.int64(existing)
                }
            rowid = existing
        } else {
            try FastStatement(db, """
                INSERT INTO search_facets (nct_id, overall_status, phases, study_type, countries, has_results,
                    start_key, allocation, primary_purpose, profile)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute { facets(&$0) }
            rowid = db.lastInsertedRowID
        }
        try FastStatement(db, """
            INSERT INTO search_fts (rowid, title, conditions, keywords, mesh, interventions, summary, sponsor)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute {
                $0.int64(rowid); $0.text(doc.title); $0.text(doc.conditions); $0.text(doc.keywords); $0.text(doc.mesh)
                $0.text(doc.interventions); $0.text(doc.summary); $0.text(doc.sponsor)
            }
        if postings {
            if let pending {
                pending.add(doc.postingTerms, study: rowid)
            } else {
                let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO search_terms (term, study) VALUES (?, ?)")
                for term in doc.postingTerms { try insert.execute(arguments: [term, rowid]) }
            }
        }
    }

    /// `|A|B|`: a list as text that `LIKE '%|A|%'` can test.
    private static func bars(_ items: [String]) -> String {
        "|" + items.map { $0 + "|" }.joined()
    }

    /// Rebuilds the whole index from the latest stored version of every study (the migration's backfill and
    /// `ctsync search --reindex`). Returns the number of studies indexed.
    @discardableResult
    static func reindexAll(in db: Database) throws -> Int {
        let postings = try db.tableExists("search_terms")
        if postings { try db.execute(sql: "DELETE FROM search_terms") }
        try db.execute(sql: "DELETE FROM search_fts; DELETE FROM search_facets;")
        let rows = try Row.fetchCursor(db, sql: """
            SELECT v.nct_id, v.raw, v.raw_size FROM studies s
            JOIN versions v ON v.nct_id = s.nct_id AND v.version = s.latest_version ORDER BY s.nct_id
            """)
        var count = 0
        while let row = try rows.next() {
            let id: String = row["nct_id"]
            let data = try StoredBody.decompress(row["raw"], originalSize: row["raw_size"])
            let record = try StudyRecord(json: try JSONParser.parse(data))
            let summary = StudySummary(record: record)
            var doc = SearchDocument(json: record.json, summary: summary)
            doc.nctId = id
            try indexLatest(doc, postings: postings, in: db)
            count += 1
        }
        return count
    }

    /// Rebuilds the search index from the stored versions.
    @discardableResult
    public func reindexSearch() throws -> Int {
        try write { db in try Store.reindexAll(in: db) }
    }

    // MARK: - Search

    /// Studies matching `query` (nil: every study) and `filter`, best first (by NCT id without a query).
    ///
    /// With a query, three steps keep the work proportional to the limit rather than to the number of matches:
    /// 1. with a limit, a window of the newest matches (highest rowids), found by walking the matches newest first
    ///    without ranking them: `SearchWeights.rankedMatches` of them; with a filter, the filtered ones among the
    ///    newest `SearchWeights.filteredMatches` (no facet lookup to find the window), or the newest
    ///    `rankedMatches` that pass the filter when the first window holds fewer hits than the limit;
    /// 2. the best `limit` matches of the window, ranked by bm25 (`SearchRank`) inside the full-text index (joined to the facets
    ///    only when a filter needs them; ties at the cut-off by rowid without a filter);
    /// 3. their titles and conditions, and a snippet for each of them only.
    public func search(_ query: SearchQuery?, filter: SearchFilter = SearchFilter(), limit: Int? = 20) throws -> [SearchHit] {
        try search(query, filter: filter, limit: limit, rankedMatches: SearchWeights.rankedMatches,
                   filteredMatches: SearchWeights.filteredMatches)
    }

    /// `search` with the windows as parameters (tests set them low).
    func search(_ query: SearchQuery?, filter: SearchFilter, limit: Int?, rankedMatches: Int,
                filteredMatches: Int) throws -> [SearchHit] {
        let (filterSQL, filterArgs) = Store.filterSQL(filter)
        guard let query else {
            var sql = """
                SELECT f.id, f.nct_id, 0.0 AS score, s.overall_status, s.phases, s.brief_title, s.conditions
                FROM search_facets f JOIN studies s ON s.nct_id = f.nct_id WHERE 1
                """ + filterSQL + " ORDER BY f.nct_id"
            if let limit { sql += " LIMIT \(max(0, limit))" }
            return try read { db in
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(filterArgs)).map { Store.hit($0, snippet: "") }
            }
        }
        let textMatches = "FROM search_fts WHERE search_fts MATCH ?"
        // With a filter, each full-text match (the outer loop: CROSS JOIN keeps SQLite from starting at the facets
        // and running the full-text query once per facet row) looks up its facets in the covering index
        // `search_facets_filters` rather than in the facet rows, which carry the profiles.
        let matches = "FROM search_fts" + (filterSQL.isEmpty ? "" : """
             CROSS JOIN search_facets f INDEXED BY search_facets_filters ON f.id = search_fts.rowid
            """) + " WHERE search_fts MATCH ?"
        return try read { db in
            let rank = SearchWeights.rank(maxRowid: try Store.maxIndexRowid(in: db))
            func ranked(from floor: Int64?) throws -> [Row] {
                let window = floor == nil ? "" : " AND search_fts.rowid >= ?"
                var ranked = "SELECT search_fts.rowid AS id, \(rank) AS bm \(matches)\(window)\(filterSQL)"
                    + (filterSQL.isEmpty ? " ORDER BY bm, search_fts.rowid" : " ORDER BY bm, f.nct_id")
                if let limit { ranked += " LIMIT \(max(0, limit))" }
                return try Row.fetchAll(db, sql: """
                    SELECT f.id, f.nct_id, -r.bm AS score, s.overall_status, s.phases, s.brief_title, s.conditions
                    FROM (\(ranked)) r JOIN search_facets f ON f.id = r.id JOIN studies s ON s.nct_id = f.nct_id
                    ORDER BY score DESC, f.nct_id
                    """, arguments: StatementArguments([query.expression] + (floor.map { [$0] } ?? []) + filterArgs))
            }
            let rows: [Row]
            if let limit {
                if filterSQL.isEmpty {
                    rows = try ranked(from: Store.windowFloor(textMatches, arguments: [query.expression],
                                                              rankedMatches: rankedMatches, in: db))
                } else {
                    let floor = try Store.windowFloor(textMatches, arguments: [query.expression],
                                                      rankedMatches: filteredMatches, in: db)
                    let first = try ranked(from: floor)
                    rows = floor == nil || first.count >= limit ? first : try ranked(from: Store.windowFloor(
                        matches + filterSQL, arguments: [query.expression] + filterArgs, rankedMatches: rankedMatches, in: db))
                }
            } else {
                rows = try ranked(from: nil)
            }
            let snippets = try Store.snippets(query.expression, rowids: rows.map { $0["id"] as Int64 }, in: db)
            return rows.map { row in Store.hit(row, snippet: snippets[row["id"] as Int64] ?? "") }
        }
    }

    /// The snippet of each of `rowids` for `expression`, keyed by rowid.
    ///
    /// One full-text query per chunk of rowids, over their rowid range with the list as a plain filter (`+rowid`):
    /// FTS5 sets up the matching once per query, and for a prefix such as `pancrea*` that means merging the postings of
    /// every word with the prefix, so one query per hit (or `rowid IN (…)`, which FTS5 runs as one lookup per value)
    /// cost milliseconds per hit.
    static func snippets(_ expression: String, rowids: [Int64], chunk size: Int = 500,
                         in db: Database) throws -> [Int64: String] {
        var out: [Int64: String] = [:]
        let sorted = rowids.sorted()
        for start in stride(from: 0, to: sorted.count, by: size) {
            let chunk = Array(sorted[start..<min(start + size, sorted.count)])
            let list = chunk.map { _ in "?" }.joined(separator: ",")
            let rows = try Row.fetchCursor(db, sql: """
                SELECT rowid AS id, snippet(search_fts, -1, '[', ']', '…', 12) AS snippet FROM search_fts
                WHERE search_fts MATCH ? AND rowid BETWEEN ? AND ? AND +rowid IN (\(list))
                """, arguments: StatementArguments([expression, chunk.first!, chunk.last!] as [DatabaseValueConvertible] + chunk))
            while let row = try rows.next() { out[row["id"]] = row["snippet"] }
        }
        return out
    }

    /// The highest rowid of the search index (0 when empty), which the rank function needs.
    static func maxIndexRowid(in db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT max(id) FROM search_facets") ?? 0
    }

    /// The rowid from which the newest `rankedMatches` rows of `matches` (`FROM search_fts … WHERE …`) begin,
    /// walking them newest first without ranking; nil when there are fewer.
    static func windowFloor(_ matches: String, arguments: [DatabaseValueConvertible?], rankedMatches: Int,
                            in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT search_fts.rowid \(matches) ORDER BY search_fts.rowid DESC LIMIT 1 OFFSET ?",
                           arguments: StatementArguments(arguments + [max(1, rankedMatches) - 1]))
    }

    private static func hit(_ row: Row, snippet: String) -> SearchHit {
        SearchHit(nctId: row["nct_id"], overallStatus: row["overall_status"], phases: jsonStrings(row["phases"]),
                  title: row["brief_title"], conditions: jsonStrings(row["conditions"]), snippet: snippet,
                  score: row["score"])
    }

    /// ` AND …` conditions on `search_facets f` for `filter`, with their arguments.
    private static func filterSQL(_ filter: SearchFilter) -> (String, [DatabaseValueConvertible?]) {
        var sql = ""
        var args: [DatabaseValueConvertible?] = []
        if !filter.statuses.isEmpty {
            sql += " AND f.overall_status IN (" + filter.statuses.map { _ in "?" }.joined(separator: ",") + ")"
            args += filter.statuses.map { $0 }
        }
        if !filter.phases.isEmpty {
            sql += " AND (" + filter.phases.map { _ in "instr(f.phases, ?) > 0" }.joined(separator: " OR ") + ")"
            args += filter.phases.map { "|\($0)|" }
        }
        if let type = filter.studyType {
            sql += " AND f.study_type = ?"
            args.append(type)
        }
        if let country = filter.country {
            sql += " AND instr(f.countries, ?) > 0"
            args.append("|\(country.lowercased())|")
        }
        if filter.hasResults { sql += " AND f.has_results = 1" }
        if let after = filter.startedAfter {
            sql += " AND f.start_key >= ?"
            args.append(SearchFilter.dateKey(after))
        }
        return (sql, args)
    }

    static func jsonStrings(_ text: String?) -> [String] {
        guard let text, let v = try? JSONParser.parse(text) else { return [] }
        return v.arrayValue?.compactMap(\.stringValue) ?? []
    }

    // MARK: - Similar

    /// Studies most comparable to `id`, best first, each with its score and reasons.
    ///
    /// Candidates come from `search_terms` (the profile terms of every study, kept in step with `search_facets` by
    /// `indexLatest`): the target's terms are read weightiest first (and, at equal weight, rarest first) while the
    /// postings read stay within `weights.candidatePostings`; a term with more studies than the budget left is
    /// skipped (in a registry-sized store: broad MeSH ancestors such as Neoplasms). Each candidate is pre-scored by
    /// the points its shared terms would add, capped as `Similarity.score` caps them, and the best
    /// `weights.candidates` are scored in full by `Similarity.score`.
    public func similar(to id: NCTID, limit: Int = 10, weights: SimilarityWeights = SimilarityWeights()) throws -> [SimilarStudy] {
        let canonical = try resolve(id).rawValue
        return try read { db in
            guard let targetRow = try Row.fetchOne(
                db, sql: "SELECT id, profile FROM search_facets WHERE nct_id = ?", arguments: [canonical]) else {
                throw StoreError.unknownStudy(canonical)
            }
            let target = try SimilarityProfile(storedJSON: targetRow["profile"])
            var candidates = try Store.similarCandidates(of: target, excluding: targetRow["id"], weights: weights, in: db)
            if candidates.count < weights.candidates {
                let more = try Store.textCandidates(of: target, weights: weights, in: db)
                let seen = Set(candidates + [targetRow["id"]])
                candidates += more.filter { !seen.contains($0) }.prefix(weights.candidates - candidates.count)
            }
            let fetch = try db.cachedStatement(sql: "SELECT nct_id, profile FROM search_facets WHERE id = ?")
            var results: [SimilarStudy] = []
            for candidate in candidates {
                guard let row = try Row.fetchOne(fetch, arguments: [candidate]) else { continue }
                let s = Similarity.score(target, try SimilarityProfile(storedJSON: row["profile"]), weights: weights)
                guard s.score > 0 else { continue }
                results.append(SimilarStudy(nctId: row["nct_id"], title: nil, overallStatus: nil,
                                            score: (s.score * 100).rounded() / 100, reasons: s.reasons, parts: s.parts))
            }
            results.sort { ($0.score, $1.nctId) > ($1.score, $0.nctId) }
            let state = try db.cachedStatement(sql: "SELECT brief_title, overall_status FROM studies WHERE nct_id = ?")
            return try results.prefix(max(0, limit)).map { result in
                var r = result
                if let row = try Row.fetchOne(state, arguments: [r.nctId]) {
                    r.title = row["brief_title"]
                    r.overallStatus = row["overall_status"]
                }
                return r
            }
        }
    }

    /// Studies whose condition, MeSH or intervention text contains one of the target's condition and intervention
    /// terms as a phrase, best first by bm25 among the newest `SearchWeights.rankedMatches` matches: they fill the
    /// candidate slots the postings leave (a study without MeSH terms whose condition is worded its own way).
    static func textCandidates(of target: SimilarityProfile, weights: SimilarityWeights, in db: Database) throws -> [Int64] {
        var terms = Array(target.conditionMesh.values) + Array(target.conditions.values) + Array(target.interventionMesh.values)
        terms += target.interventionNames.keys.filter { !Similarity.uninformativeNames.contains($0) }
        terms += target.interventionNames.values
        let phrases = Array(Set(terms.filter { $0.unicodeScalars.contains { CharacterSet.alphanumerics.contains($0) } }
            .map(SearchQuery.quoted))).sorted().prefix(40)
        guard !phrases.isEmpty else { return [] }
        let expression = "{conditions mesh interventions} : (" + phrases.joined(separator: " OR ") + ")"
        let matches = "FROM search_fts WHERE search_fts MATCH ?"
        let floor = try windowFloor(matches, arguments: [expression], rankedMatches: SearchWeights.rankedMatches, in: db)
        return try Int64.fetchAll(db, sql: """
            SELECT rowid \(matches)\(floor == nil ? "" : " AND rowid >= ?")
            ORDER BY \(SearchWeights.rank(maxRowid: try maxIndexRowid(in: db))) LIMIT ?
            """, arguments: StatementArguments([expression] + (floor.map { [$0] } ?? []) + [weights.candidates + 1]))
    }

    /// The `search_facets` ids of the best `weights.candidates` studies sharing a term with `target`, by the
    /// points of the terms they share (see `similar`).
    static func similarCandidates(of target: SimilarityProfile, excluding targetId: Int64, weights w: SimilarityWeights,
                                  in db: Database) throws -> [Int64] {
        // (term key as the search_profile_terms view writes it, points, cap group)
        var terms: [(key: String, points: Double, group: Int)] = []
        terms += target.conditionMesh.keys.map { ("cm:" + $0, w.conditionMesh, 0) }
        terms += target.conditions.keys.map { ("ct:" + $0, w.conditionText, 0) }
        terms += target.conditionAncestors.keys.map { ("ca:" + $0, w.conditionAncestor, 1) }
        terms += target.interventionMesh.keys.map { ("im:" + $0, w.interventionMesh, 2) }
        terms += target.interventionNames.keys.filter { !Similarity.uninformativeNames.contains($0) }
            .map { ("in:" + $0, w.interventionName, 2) }
        let caps = [w.conditionCap, w.conditionAncestorCap, w.interventionCap]
        let count = try db.cachedStatement(sql: "SELECT count(*) FROM (SELECT 1 FROM search_terms WHERE term = ? LIMIT ?)")
        let postings = try db.cachedStatement(sql: "SELECT study FROM search_terms WHERE term = ?")
        var sized: [(key: String, points: Double, group: Int, count: Int)] = []
        for t in terms {
            let n = try Int.fetchOne(count, arguments: [t.key, w.candidatePostings + 1]) ?? 0
            if n > 0, n <= w.candidatePostings { sized.append((t.key, t.points, t.group, n)) }
        }
        sized.sort { ($0.points, -$0.count, $1.key) > ($1.points, -$1.count, $0.key) }
        var budget = w.candidatePostings
        var sums: [Int64: SIMD3<Double>] = [:]
        for t in sized where t.count <= budget {
            budget -= t.count
            let studies = try Int64.fetchCursor(postings, arguments: [t.key])
            while let study = try studies.next() {
                if study != targetId { sums[study, default: .zero][t.group] += t.points }
            }
        }
        let scored = sums.map { (id: $0.key, points: (0..<3).reduce(0.0) { [v = $0.value] sum, g in sum + min(v[g], caps[g]) }) }
        return scored.sorted { ($0.points, $1.id) > ($1.points, $0.id) }.prefix(max(0, w.candidates)).map(\.id)
    }

    // MARK: - Export

    /// Calls `body` with the normalized latest version of each study matching `query` and `filter`, by NCT id.
    public func exportTrials(query: SearchQuery?, filter: SearchFilter, _ body: (Trial) throws -> Void) throws {
        let ids = try search(query, filter: filter, limit: nil).map(\.nctId).sorted()
        for id in ids {
            guard let nct = NCTID(id) else { continue }
            let (_, json) = try document(of: nct)
            do {
                try body(try Trial(v2: json))
            } catch let error as RecordError {
                throw StoreError.corruptVersion(nctId: id, version: 0, detail: error.localizedDescription)
            }
        }
    }
}

// MARK: - Measurements (for ctsync-search-bench)

extension Store {
    /// Bytes of the search tables and their indexes (from SQLite's `dbstat`; nil when it is not compiled in).
    public func searchIndexBytes() throws -> Int? {
        try read { db in
            try? Int.fetchOne(db, sql: """
                SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_%' OR name LIKE 'sqlite_autoindex_search_%'
                """)
        }
    }

    /// `searchIndexBytes` split into the full-text index (`search_fts*`), the facets and profiles
    /// (`search_facets` and its indexes) and the similarity postings (`search_terms`); empty without `dbstat`.
    public func searchIndexParts() throws -> [String: Int] {
        try read { db in
            let rows = (try? Row.fetchAll(db, sql: """
                SELECT CASE WHEN name LIKE 'search_fts%' THEN 'fts' WHEN name LIKE 'search_terms%' THEN 'terms'
                    ELSE 'facets' END AS part, sum(pgsize) AS bytes
                FROM dbstat WHERE name LIKE 'search_%' OR name LIKE 'sqlite_autoindex_search_%' GROUP BY part
                """)) ?? []
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["part"] as String, $0["bytes"] as Int) })
        }
    }

    /// The benchmark's baseline: titles containing `term`, by a full `LIKE '%term%'` scan of `studies`, no index.
    public func baselineTitleScan(_ term: String, limit: Int = 20) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT nct_id FROM studies WHERE brief_title LIKE ? OR official_title LIKE ? ORDER BY nct_id LIMIT ?
                """, arguments: ["%\(term)%", "%\(term)%", limit])
        }
    }
}

/// The similarity postings of the studies one batch stores, written once the batch's full-text rows are in:
/// sorted by term, a few hundred rows per statement.
///
/// Written one by one, each study's dozen postings went to a dozen places of a large B-tree; sorted, a batch's
/// postings of one term are neighbours. The statements run after every full-text insert of the batch because a
/// statement that writes several rows opens a statement savepoint, and a savepoint makes FTS5 flush its pending
/// terms into a new segment: once per batch it costs nothing, as the commit flushes them anyway.
final class PendingPostings {
    private var byStudy: [Int64: [String]] = [:]
    /// Rows per statement: two variables each, well under SQLite's limit.
    static let rowsPerStatement = 256

    /// The insert of `rows` rows.
    private static func insertSQL(rows: Int) -> String {
        "INSERT OR IGNORE INTO search_terms (term, study) VALUES "
            + repeatElement("(?, ?)", count: rows).joined(separator: ", ")
    }

    private static let fullInsertSQL = insertSQL(rows: rowsPerStatement)

    func add(_ terms: [String], study: Int64) {
        if !terms.isEmpty { byStudy[study] = terms }
    }

    /// Drops what was gathered for `study` (a later version of it in the same batch replaces them).
    func discard(study: Int64) {
        byStudy.removeValue(forKey: study)
    }

    func write(in db: Database) throws {
        var rows: [(String, Int64)] = []
        rows.reserveCapacity(byStudy.values.reduce(0) { $0 + $1.count })
        for (study, terms) in byStudy {
            for term in terms { rows.append((term, study)) }
        }
        byStudy.removeAll()
        guard !rows.isEmpty else { return }
        rows.sort {
            let c = JSONObject.compare($0.0, $1.0)
            return c != 0 ? c < 0 : $0.1 < $1.1
        }
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + PendingPostings.rowsPerStatement, rows.count)]
            let full = chunk.count == PendingPostings.rowsPerStatement
            let sql = full ? PendingPostings.fullInsertSQL : PendingPostings.insertSQL(rows: chunk.count)
            try FastStatement(db, sql, cached: full).execute {
                for (term, study) in chunk {
                    $0.text(term)
                    $0.int64(study)
                }
            }
            start += chunk.count
        }
    }
}
