import Foundation
import GRDB
import GRDBSQLite

/// A statement of the per-study write path, run through SQLite's C API: values are bound where they are, without
/// the `StatementArguments` array of `DatabaseValue`s that GRDB builds for every execution.
///
/// Storing a study runs half a dozen of these; in an import GRDB's argument arrays, its bindings and its `Row`s were
/// about a tenth of the single writer's time. The statement is GRDB's cached one for `sql` (prepared once per
/// connection) unless told otherwise, and only ever run through this type (GRDB would rebind its own arguments
/// anyway). Errors are GRDB's `DatabaseError`, as from any other statement, so `StoreError.wrap` reads them alike.
struct FastStatement {
    private let statement: Statement
    private let db: Database

    /// GRDB's cached statement for `sql`, or with `cached: false` one prepared for this use only (a statement
    /// whose text varies, not worth keeping).
    init(_ db: Database, _ sql: String, cached: Bool = true) throws {
        self.db = db
        statement = cached ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql)
    }

    /// The values to bind, in the order of the statement's parameters.
    struct Bindings {
        fileprivate let handle: OpaquePointer
        fileprivate var index: Int32 = 0
        fileprivate var failure: Int32 = SQLITE_OK

        private mutating func check(_ code: Int32) {
            if code != SQLITE_OK, failure == SQLITE_OK { failure = code }
        }

        mutating func text(_ value: String?) {
            index += 1
            guard var value else { return check(sqlite3_bind_null(handle, index)) }
            let i = index
            let code = value.withUTF8 { bytes -> Int32 in
                // An empty buffer may have no address, and a NULL pointer would bind NULL instead of ''.
                guard let base = bytes.baseAddress, !bytes.isEmpty else {
                    return sqlite3_bind_text(handle, i, "", 0, FastStatement.transient)
                }
                // Up to the first NUL, as GRDB binds a `String` (as a C string): a text written here reads back
                // as the same text written through GRDB, and is the same key in a unique index.
                let length = memchr(base, 0, bytes.count).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) }
                    ?? bytes.count
                return sqlite3_bind_text(handle, i, base, Int32(length), FastStatement.transient)
            }
            check(code)
        }

        mutating func int(_ value: Int?) {
            index += 1
            guard let value else { return check(sqlite3_bind_null(handle, index)) }
            check(sqlite3_bind_int64(handle, index, Int64(value)))
        }

        mutating func int64(_ value: Int64) {
            index += 1
            check(sqlite3_bind_int64(handle, index, value))
        }

        mutating func blob(_ value: Data) {
            index += 1
            let i = index
            let code = value.withUnsafeBytes { bytes in
                bytes.isEmpty
                    ? sqlite3_bind_zeroblob(handle, i, 0)
                    : sqlite3_bind_blob(handle, i, bytes.baseAddress, Int32(bytes.count), FastStatement.transient)
            }
            check(code)
        }
    }

    /// The columns of the current row.
    struct Columns {
        fileprivate let handle: OpaquePointer

        func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

        func text(_ column: Int32) -> String? {
            guard sqlite3_column_type(handle, column) != SQLITE_NULL,
                  let bytes = sqlite3_column_text(handle, column) else { return nil }
            let count = Int(sqlite3_column_bytes(handle, column))
            return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        }
    }

    /// SQLite copies what it binds: the Swift values need not outlive the call.
    fileprivate static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds the values and runs the statement to its end.
    func execute(_ bind: (inout Bindings) -> Void) throws {
        _ = try run(bind) { _ in () }
    }

    /// Binds the values and reads the first row, if any.
    func first<T>(_ bind: (inout Bindings) -> Void, _ read: (Columns) -> T) throws -> T? {
        try run(bind, read)
    }

    private func run<T>(_ bind: (inout Bindings) -> Void, _ read: (Columns) -> T) throws -> T? {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        defer { sqlite3_reset(handle) }
        var bindings = Bindings(handle: handle)
        bind(&bindings)
        guard bindings.failure == SQLITE_OK else { throw error(bindings.failure) }
        guard bindings.index == sqlite3_bind_parameter_count(handle) else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE,
                                message: "wrong number of statement arguments: \(bindings.index)", sql: statement.sql)
        }
        var result: T?
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_DONE: return result
            case SQLITE_ROW: if result == nil { result = read(Columns(handle: handle)) }
            case let code: throw error(code)
            }
        }
    }

    private func error(_ code: Int32) -> DatabaseError {
        let connection = db.sqliteConnection
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        return DatabaseError(resultCode: ResultCode(rawValue: extended), message: message, sql: statement.sql)
    }
}
