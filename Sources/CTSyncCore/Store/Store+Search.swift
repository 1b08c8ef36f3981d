import Foundation
import GRDB

/// The search index: `search_facets` (filters and similarity profiles) and `search_fts` (FTS5, porter stemming,
/// unicode61 without diacritics), one row each per study, always for its latest version.
extension Store {
    // MARK: - Index maintenance

    /// Replaces the index entry of `doc.nctId` by `doc`, in the caller's transaction.
    ///
    /// Called from `upsertState`, so every path that writes a study's latest version (sync, import, history
    /// backfill) keeps the index in step; the old text is deleted first, so nothing stale remains.
    static func indexLatest(_ doc: SearchDocument, in db: Database) throws {
        let profile = doc.profile.storedJSON
        let facets: StatementArguments = [
            doc.nctId, doc.overallStatus, bars(doc.phases), doc.studyType,
            bars(doc.countries.map { $0.lowercased() }), doc.hasResults ? 1 : 0,
            doc.startDate.map(SearchFilter.dateKey), doc.allocation, doc.primaryPurpose, profile,
        ]
        let existing = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM search_facets WHERE nct_id = ?"), arguments: [doc.nctId])
        let rowid: Int64
        if let existing {
            try db.cachedStatement(sql: "DELETE FROM search_fts WHERE rowid = ?").execute(arguments: [existing])
            try db.cachedStatement(sql: """
                UPDATE search_facets SET nct_id = ?, overall_status = ?, phases = ?, study_type = ?, countries = ?,
                    has_results = ?, start_key = ?, allocation = ?, primary_purpose = ?, profile = ?
                WHERE id = ?
                """).execute(arguments: facets + [existing])
            rowid = existing
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO search_facets (nct_id, overall_status, phases, study_type, countries, has_results,
                    start_key, allocation, primary_purpose, profile)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: facets)
            rowid = db.lastInsertedRowID
        }
        try db.cachedStatement(sql: """
            INSERT INTO search_fts (rowid, title, conditions, keywords, mesh, interventions, summary, sponsor)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [rowid, doc.title, doc.conditions, doc.keywords, doc.mesh, doc.interventions,
                                     doc.summary, doc.sponsor])
    }

    /// `|A|B|`: a list as text that `LIKE '%|A|%'` can test.
    private static func bars(_ items: [String]) -> String {
        "|" + items.map { $0 + "|" }.joined()
    }

    /// Rebuilds the whole index from the latest stored version of every study (the migration's backfill and
    /// `ctsync search --reindex`). Returns the number of studies indexed.
    @discardableResult
    static func reindexAll(in db: Database) throws -> Int {
        try db.execute(sql: "DELETE FROM search_fts; DELETE FROM search_facets;")
        let rows = try Row.fetchCursor(db, sql: """
            SELECT v.nct_id, v.raw, v.raw_size FROM studies s
            JOIN versions v ON v.nct_id = s.nct_id AND v.version = s.latest_version ORDER BY s.nct_id
            """)
        var count = 0
        while let row = try rows.next() {
            let id: String = row["nct_id"]
            let data = try Deflate.decompress(row["raw"], originalSize: row["raw_size"])
            let record = try StudyRecord(json: try JSONParser.parse(data))
            let summary = StudySummary(record: record)
            var doc = SearchDocument(json: record.json, summary: summary)
            doc.nctId = id
            try indexLatest(doc, in: db)
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
    /// Two steps, so the snippet is computed only for the hits returned: the ranked, filtered ids first, then each
    /// hit's snippet by rowid.
    public func search(_ query: SearchQuery?, filter: SearchFilter = SearchFilter(), limit: Int? = 20) throws -> [SearchHit] {
        var (sql, args) = Store.filterSQL(filter)
        if let query {
            sql = """
                SELECT f.id, f.nct_id, -\(SearchWeights.bm25) AS score, s.overall_status, s.phases, s.brief_title,
                    s.conditions
                FROM search_fts JOIN search_facets f ON f.id = search_fts.rowid
                JOIN studies s ON s.nct_id = f.nct_id
                WHERE search_fts MATCH ?
                """ + sql + " ORDER BY score DESC, f.nct_id"
            args = [query.expression] + args
        } else {
            sql = """
                SELECT f.id, f.nct_id, 0.0 AS score, s.overall_status, s.phases, s.brief_title, s.conditions
                FROM search_facets f JOIN studies s ON s.nct_id = f.nct_id WHERE 1
                """ + sql + " ORDER BY f.nct_id"
        }
        if let limit { sql += " LIMIT \(max(0, limit))" }
        return try read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args))
            let snippet = try query.map { _ in
                try db.cachedStatement(sql: """
                    SELECT snippet(search_fts, -1, '[', ']', '…', 12) FROM search_fts
                    WHERE search_fts MATCH ? AND rowid = ?
                    """)
            }
            return try rows.map { row in
                var text = ""
                if let query, let snippet {
                    text = try String.fetchOne(snippet, arguments: [query.expression, row["id"] as Int64]) ?? ""
                }
                return SearchHit(nctId: row["nct_id"], overallStatus: row["overall_status"],
                                 phases: Store.jsonStrings(row["phases"]), title: row["brief_title"],
                                 conditions: Store.jsonStrings(row["conditions"]), snippet: text, score: row["score"])
            }
        }
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
    /// Candidates come from the full-text index (any of the target's condition MeSH terms, conditions, intervention
    /// MeSH terms and intervention names, in those columns; at most `weights.candidates` by bm25), then each is
    /// scored in Swift by `Similarity.score`.
    public func similar(to id: NCTID, limit: Int = 10, weights: SimilarityWeights = SimilarityWeights()) throws -> [SimilarStudy] {
        let canonical = try resolve(id).rawValue
        return try read { db in
            guard let targetJSON = try String.fetchOne(
                db, sql: "SELECT profile FROM search_facets WHERE nct_id = ?", arguments: [canonical]) else {
                throw StoreError.unknownStudy(canonical)
            }
            let target = try JSONDecoder().decode(SimilarityProfile.self, from: Data(targetJSON.utf8))
            var terms = Array(target.conditionMesh.values) + Array(target.conditions.values)
                + Array(target.interventionMesh.values)
            terms += target.interventionNames.keys.filter { !Similarity.uninformativeNames.contains($0) }
                .map { $0 }
            terms += target.interventionNames.values.map { $0 }
            let phrases = Array(Set(terms.filter { $0.unicodeScalars.contains { CharacterSet.alphanumerics.contains($0) } }
                .map(SearchQuery.quoted))).sorted().prefix(40)
            var rows: [Row] = []
            if !phrases.isEmpty {
                let expression = "{conditions mesh interventions} : (" + phrases.joined(separator: " OR ") + ")"
                rows = try Row.fetchAll(db, sql: """
                    SELECT f.nct_id, f.profile, s.brief_title, s.overall_status
                    FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT ?) c
                    JOIN search_facets f ON f.id = c.rowid JOIN studies s ON s.nct_id = f.nct_id
                    WHERE f.nct_id <> ?
                    """, arguments: [expression, weights.candidates, canonical])
            }
            let decoder = JSONDecoder()
            var results: [SimilarStudy] = []
            for row in rows {
                let profile = try decoder.decode(SimilarityProfile.self, from: Data((row["profile"] as String).utf8))
                let s = Similarity.score(target, profile, weights: weights)
                guard s.score > 0 else { continue }
                results.append(SimilarStudy(nctId: row["nct_id"], title: row["brief_title"],
                                            overallStatus: row["overall_status"],
                                            score: (s.score * 100).rounded() / 100, reasons: s.reasons, parts: s.parts))
            }
            results.sort { ($0.score, $1.nctId) > ($1.score, $0.nctId) }
            return Array(results.prefix(max(0, limit)))
        }
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

    /// The benchmark's baseline: titles containing `term`, by a full `LIKE '%term%'` scan of `studies`, no index.
    public func baselineTitleScan(_ term: String, limit: Int = 20) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT nct_id FROM studies WHERE brief_title LIKE ? OR official_title LIKE ? ORDER BY nct_id LIMIT ?
                """, arguments: ["%\(term)%", "%\(term)%", limit])
        }
    }
}
