import GRDB

/// The schema, as append-only migrations: a merged migration is never edited, a change is a new one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-versions") { db in
            try db.execute(sql: """
                CREATE TABLE studies (
                    nct_id TEXT PRIMARY KEY NOT NULL
                        CHECK (nct_id GLOB 'NCT[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
                    latest_version INTEGER NOT NULL CHECK (latest_version >= 1),
                    latest_hash TEXT NOT NULL,
                    brief_title TEXT,
                    official_title TEXT,
                    overall_status TEXT,
                    phases TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(phases)),
                    study_type TEXT,
                    conditions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(conditions)),
                    interventions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(interventions)),
                    lead_sponsor TEXT,
                    start_date TEXT,
                    primary_completion_date TEXT,
                    completion_date TEXT,
                    last_update_posted TEXT,
                    enrollment INTEGER,
                    enrollment_type TEXT,
                    first_seen_at TEXT NOT NULL,
                    last_fetched_at TEXT NOT NULL
                );
                CREATE INDEX studies_status ON studies(overall_status);

                CREATE TABLE versions (
                    id INTEGER PRIMARY KEY,
                    nct_id TEXT NOT NULL REFERENCES studies(nct_id),
                    version INTEGER NOT NULL CHECK (version >= 1),
                    fetched_at TEXT NOT NULL,
                    last_update_posted TEXT,
                    overall_status TEXT,
                    content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
                    source TEXT NOT NULL CHECK (source IN ('sync', 'import', 'history')),
                    raw_size INTEGER NOT NULL CHECK (raw_size > 0),
                    raw BLOB NOT NULL,
                    UNIQUE (nct_id, version)
                );

                CREATE TABLE aliases (
                    alias TEXT PRIMARY KEY NOT NULL,
                    canonical TEXT NOT NULL CHECK (canonical <> alias),
                    recorded_at TEXT NOT NULL
                );

                CREATE TABLE watches (
                    name TEXT PRIMARY KEY NOT NULL CHECK (length(name) > 0),
                    query TEXT NOT NULL CHECK (json_valid(query)),
                    cursor TEXT,
                    created_at TEXT NOT NULL,
                    last_sync_at TEXT
                );

                CREATE TABLE watch_studies (
                    watch TEXT NOT NULL REFERENCES watches(name) ON DELETE CASCADE,
                    nct_id TEXT NOT NULL REFERENCES studies(nct_id),
                    PRIMARY KEY (watch, nct_id)
                ) WITHOUT ROWID;

                CREATE TABLE sync_runs (
                    id INTEGER PRIMARY KEY,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    outcome TEXT CHECK (outcome IN ('ok', 'partial', 'failed')),
                    summary TEXT CHECK (summary IS NULL OR json_valid(summary))
                );
                """)
        }
        migrator.registerMigration("v2-reconcile") { db in
            try db.execute(sql: """
                ALTER TABLE studies ADD COLUMN last_checked_at TEXT;
                ALTER TABLE studies ADD COLUMN removed_at TEXT;
                UPDATE studies SET last_checked_at = last_fetched_at;
                CREATE INDEX studies_checked ON studies(last_checked_at, nct_id);

                ALTER TABLE watch_studies ADD COLUMN state TEXT NOT NULL DEFAULT 'member'
                    CHECK (state IN ('member', 'left', 'removed'));
                ALTER TABLE watch_studies ADD COLUMN state_since TEXT;

                ALTER TABLE watches ADD COLUMN last_full_at TEXT;
                ALTER TABLE watches ADD COLUMN reconcile_budget INTEGER CHECK (reconcile_budget IS NULL OR reconcile_budget >= 0);

                CREATE TABLE change_events (
                    id INTEGER PRIMARY KEY,
                    recorded_at TEXT NOT NULL,
                    nct_id TEXT NOT NULL,
                    watch TEXT,
                    kind TEXT NOT NULL
                        CHECK (kind IN ('leftWatch', 'returned', 'removedFromRegistry', 'aliased')),
                    detail TEXT CHECK (detail IS NULL OR json_valid(detail))
                );
                CREATE INDEX change_events_at ON change_events(recorded_at);
                """)
        }
        migrator.registerMigration("v2-history") { db in
            // The registry's own version number and date, for versions backfilled from its record history (and
            // synced or imported versions found equal to one). Local `version` numbers stay the timeline order.
            try db.execute(sql: """
                ALTER TABLE versions ADD COLUMN registry_version INTEGER
                    CHECK (registry_version IS NULL OR registry_version >= 0);
                ALTER TABLE versions ADD COLUMN registry_date TEXT;
                CREATE UNIQUE INDEX versions_registry_version ON versions(nct_id, registry_version)
                    WHERE registry_version IS NOT NULL;
                """)
        }
        migrator.registerMigration("v3-changes") { db in
            try db.execute(sql: """
                CREATE TABLE changes (
                    id INTEGER PRIMARY KEY,
                    detected_at TEXT NOT NULL,
                    nct_id TEXT NOT NULL,
                    from_version INTEGER,
                    to_version INTEGER,
                    watch TEXT,
                    path TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('added', 'removed', 'changed')),
                    significance TEXT NOT NULL CHECK (significance IN ('major', 'minor', 'noise')),
                    category TEXT NOT NULL,
                    old TEXT CHECK (old IS NULL OR json_valid(old)),
                    new TEXT CHECK (new IS NULL OR json_valid(new)),
                    text TEXT NOT NULL
                );
                CREATE INDEX changes_detected ON changes(detected_at);
                CREATE INDEX changes_study ON changes(nct_id);

                CREATE TABLE alerts (
                    name TEXT PRIMARY KEY NOT NULL CHECK (length(name) > 0),
                    watch TEXT NOT NULL REFERENCES watches(name) ON DELETE CASCADE,
                    categories TEXT NOT NULL CHECK (json_valid(categories)),
                    channel TEXT NOT NULL CHECK (channel IN ('webhook', 'ndjson', 'atom')),
                    target TEXT NOT NULL CHECK (length(target) > 0),
                    created_at TEXT NOT NULL
                );

                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    alert TEXT NOT NULL REFERENCES alerts(name) ON DELETE CASCADE,
                    change_id INTEGER NOT NULL REFERENCES changes(id),
                    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at TEXT,
                    last_error TEXT,
                    delivered_at TEXT,
                    UNIQUE (alert, change_id)
                );
                CREATE INDEX outbox_pending ON outbox(state, next_attempt_at);
                """)
        }
        migrator.registerMigration("v4-search") { db in
            // The search index of the latest version of each study (Store+Search.swift): facets and the similarity
            // profile in a plain table, the text in an FTS5 table whose rowid is the facet row's id.
            try db.execute(sql: """
                CREATE TABLE search_facets (
                    id INTEGER PRIMARY KEY,
                    nct_id TEXT NOT NULL UNIQUE,
                    overall_status TEXT,
                    phases TEXT NOT NULL DEFAULT '|',
                    study_type TEXT,
                    countries TEXT NOT NULL DEFAULT '|',
                    has_results INTEGER NOT NULL DEFAULT 0 CHECK (has_results IN (0, 1)),
                    start_key TEXT,
                    allocation TEXT,
                    primary_purpose TEXT,
                    profile TEXT NOT NULL CHECK (json_valid(profile))
                );
                CREATE INDEX search_facets_status ON search_facets(overall_status);
                CREATE INDEX search_facets_start ON search_facets(start_key);
                CREATE VIRTUAL TABLE search_fts USING fts5(
                    title, conditions, keywords, mesh, interventions, summary, sponsor,
                    tokenize = 'porter unicode61 remove_diacritics 2'
                );
                """)
            try Store.reindexAll(in: db)
        }
        migrator.registerMigration("v5-search-terms") { db in
            // Postings for `ctsync similar` (Store+Search.swift): one row per (profile term, study), so candidates
            // are found and pre-scored without reading the profiles of every study that shares a term. The terms are
            // the keys of the profile's condition MeSH terms (cm:), MeSH ancestors (ca:), folded condition texts
            // (ct:), intervention MeSH terms (im:) and normalized intervention names (in:). The view is the one
            // definition of them; triggers keep the postings in step with every write of `search_facets`.
            try db.execute(sql: """
                CREATE TABLE search_terms (
                    term TEXT NOT NULL,
                    study INTEGER NOT NULL,
                    PRIMARY KEY (term, study)
                ) WITHOUT ROWID;
                CREATE VIEW search_profile_terms (term, study) AS
                    SELECT 'cm:' || j.key, f.id FROM search_facets f, json_each(f.profile, '$.conditionMesh') j
                    UNION ALL SELECT 'ca:' || j.key, f.id FROM search_facets f, json_each(f.profile, '$.conditionAncestors') j
                    UNION ALL SELECT 'ct:' || j.key, f.id FROM search_facets f, json_each(f.profile, '$.conditions') j
                    UNION ALL SELECT 'im:' || j.key, f.id FROM search_facets f, json_each(f.profile, '$.interventionMesh') j
                    UNION ALL SELECT 'in:' || j.key, f.id FROM search_facets f, json_each(f.profile, '$.interventionNames') j;
                CREATE TRIGGER search_terms_insert AFTER INSERT ON search_facets BEGIN
                    INSERT OR IGNORE INTO search_terms (term, study)
                        SELECT term, study FROM search_profile_terms WHERE study = new.id;
                END;
                CREATE TRIGGER search_terms_update_old BEFORE UPDATE OF profile ON search_facets BEGIN
                    DELETE FROM search_terms
                        WHERE study = old.id AND term IN (SELECT term FROM search_profile_terms WHERE study = old.id);
                END;
                CREATE TRIGGER search_terms_update_new AFTER UPDATE OF profile ON search_facets BEGIN
                    INSERT OR IGNORE INTO search_terms (term, study)
                        SELECT term, study FROM search_profile_terms WHERE study = new.id;
                END;
                CREATE TRIGGER search_terms_delete BEFORE DELETE ON search_facets BEGIN
                    DELETE FROM search_terms
                        WHERE study = old.id AND term IN (SELECT term FROM search_profile_terms WHERE study = old.id);
                END;
                INSERT OR IGNORE INTO search_terms (term, study) SELECT term, study FROM search_profile_terms;
                """)
        }
        // v6 and v7 only add an index and drop triggers, which cannot break a foreign key: `.immediate` spares them
        // the migrator's check of every foreign key afterwards (~20 s on a 600,000-study store).
        migrator.registerMigration("v6-search-filter-index", foreignKeyChecks: .immediate) { db in
            // A filtered search looks up the facets of each full-text match by id (Store+Search.swift). The facet
            // rows carry the similarity profile (about 1.5 KB each), so at 600,000 studies those lookups read a
            // 900 MB table; this index holds just the columns the filters and the tie-break read (about 100 bytes
            // a study), and the search reads it instead of the table.
            try db.execute(sql: """
                CREATE INDEX IF NOT EXISTS search_facets_filters ON search_facets(
                    id, overall_status, phases, study_type, has_results, start_key, countries, nct_id)
                """)
        }
        migrator.registerMigration("v7-search-terms-in-swift", foreignKeyChecks: .immediate) { db in
            // `Store.indexLatest` writes the postings from `SimilarityProfile.postingTerms`, made with the search
            // document on the import workers: the triggers parsed each stored profile five times on the single
            // writer. The view stays the definition (a test holds the two equal) and finds a replaced profile's
            // terms; the postings the triggers wrote are already right.
            try db.execute(sql: """
                DROP TRIGGER search_terms_insert;
                DROP TRIGGER search_terms_update_old;
                DROP TRIGGER search_terms_update_new;
                DROP TRIGGER search_terms_delete;
                """)
        }
        return migrator
    }
}
