/// The full-text columns of the search index, in table order, with their bm25 weights: the one place to change
/// how much a match in each field counts. Title and conditions weigh most, descriptions least.
public enum SearchWeights {
    /// `(column, weight)` in the order of the `search_fts` columns.
    public static let columns: [(name: String, weight: Double)] = [
        ("title", 10),
        ("conditions", 8),
        ("keywords", 4),
        ("mesh", 5),
        ("interventions", 5),
        ("summary", 1),
        ("sponsor", 2),
    ]

    /// With a result limit, a query ranks at most this many matches: the ones most recently added to the index (the
    /// highest `search_fts` rowids, which follow the order studies were first stored). bm25 has to be computed for
    /// every match it ranks (about 1.5 µs each at 600,000 studies, reading the match's positions and length), so a
    /// word that matches a large share of the registry (`cancer`: ~27 % of studies) would cost time proportional to
    /// the registry; above this many matches the ranking is of the newest ones only. `ctsync export` (no limit) and
    /// every query with fewer matches rank all of them.
    public static let rankedMatches = 2_000
    /// With a filter, the window is the newest this many text matches (found without looking up their facets), of
    /// which the ones passing the filter are ranked; when they are fewer than the limit, the newest
    /// `rankedMatches` matches that pass the filter are ranked instead.
    public static let filteredMatches = 8_000

    /// The rank expression of a `search_fts` query: bm25 with these weights, lower is better (`SearchRank`, which
    /// also says how it differs from FTS5's `bm25()`); `maxRowid` is the highest rowid of the index.
    static func rank(maxRowid: Int64) -> String {
        "\(SearchRank.name)(search_fts, \(maxRowid))"
    }
}
