@testable import CTSyncCore
import Foundation
import GRDB
import Testing

/// The write path's statements bind values as GRDB binds them, so that what they write reads back, and matches in
/// a unique index, as the same values written through GRDB.
@Suite struct FastStatementTests {
    @Test func valuesBindAsGRDBBindsThem() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, n INTEGER, b BLOB)")
            let texts: [String?] = ["plain", "", nil, "é中文😀", "nul\u{0}after", "\u{0}", String(repeating: "x", count: 70_000)]
            for text in texts {
                try FastStatement(db, "INSERT INTO t (s, n, b) VALUES (?, ?, ?)").execute {
                    $0.text(text)
                    $0.int(text?.utf8.count)
                    $0.blob(Data((text ?? "").utf8))
                }
                try db.execute(sql: "INSERT INTO t (s, n, b) VALUES (?, ?, ?)",
                               arguments: [text, text?.utf8.count, Data((text ?? "").utf8)])
            }
            let rows = try Row.fetchAll(db, sql: "SELECT s, typeof(s) AS type, n, b FROM t ORDER BY id")
            #expect(rows.count == texts.count * 2)
            for pair in stride(from: 0, to: rows.count, by: 2) {
                #expect(rows[pair] == rows[pair + 1], "\(texts[pair / 2] ?? "nil")")
            }
            #expect(rows[2]["type"] == "text" && rows[4]["type"] == "null")
            // Read back through the fast path too.
            let read = try FastStatement(db, "SELECT n, s FROM t WHERE id = ?").first({ $0.int64(7) }) {
                ($0.int64(0), $0.text(1))
            }
            #expect(read?.0 == Int64("é中文😀".utf8.count) && read?.1 == "é中文😀")
            #expect(try FastStatement(db, "SELECT n FROM t WHERE id = ?").first({ $0.int64(-1) }) { $0.int64(0) } == nil)
        }
    }

    @Test func failuresAreDatabaseErrorsNamingTheStatement() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL)")
            let insert = "INSERT INTO t (k) VALUES (?)"
            try FastStatement(db, insert).execute { $0.text("a") }
            #expect {
                try FastStatement(db, insert).execute { $0.text("a") }
            } throws: { error in
                let e = error as? DatabaseError
                return e?.resultCode == .SQLITE_CONSTRAINT && e?.sql == insert && e?.message?.contains("UNIQUE") == true
            }
            #expect {
                try FastStatement(db, insert).execute { $0.text(nil) }
            } throws: { error in (error as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT }
            #expect {
                try FastStatement(db, insert).execute { _ in }
            } throws: { error in (error as? DatabaseError)?.message?.contains("wrong number") == true }
            // After a failure the statement runs again.
            try FastStatement(db, insert).execute { $0.text("b") }
            #expect(try String.fetchAll(db, sql: "SELECT k FROM t ORDER BY k") == ["a", "b"])
        }
    }
}
