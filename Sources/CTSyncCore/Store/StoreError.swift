import Foundation
import GRDB

/// Why the store could not do what was asked; the text names the database file and what to do.
public enum StoreError: Error, LocalizedError, Sendable {
    case missingDirectory(path: String)
    case readOnly(path: String, detail: String)
    case notADatabase(path: String, detail: String)
    case noDatabase(path: String)
    case unknownStudy(String)
    case unknownVersion(nctId: String, version: Int, latest: Int)
    case unknownWatch(String)
    case watchExists(String)
    case unknownAlert(String)
    case alertExists(String)
    case corruptVersion(nctId: String, version: Int, detail: String)
    case busy(path: String)
    case sqlite(path: String, detail: String)

    public var errorDescription: String? {
        switch self {
        case .missingDirectory(let path):
            return "cannot open database \(path): its directory does not exist (create it, or choose another --db)"
        case .readOnly(let path, let detail):
            return "cannot write database \(path): the file or its directory is read-only (\(detail))"
        case .notADatabase(let path, let detail):
            return "\(path) is not a ctsync database or is corrupt (SQLite: \(detail)); it was left untouched"
        case .noDatabase(let path):
            return "no database at \(path): run `ctsync sync` first, or name one with --db"
        case .unknownStudy(let id):
            return "\(id) is not in the local store: sync it first (`ctsync sync \(id)`)"
        case .unknownVersion(let id, let version, let latest):
            return "\(id) has no version \(version) (versions 1 to \(latest) are stored)"
        case .unknownWatch(let name):
            return "no watch named '\(name)' (see `ctsync watch list`)"
        case .watchExists(let name):
            return "a watch named '\(name)' already exists (remove it first to change it)"
        case .unknownAlert(let name):
            return "no alert named '\(name)' (see `ctsync alert list`)"
        case .alertExists(let name):
            return "an alert named '\(name)' already exists (remove it first to change it)"
        case .corruptVersion(let id, let version, let detail):
            return "stored version \(version) of \(id) cannot be read: \(detail)"
        case .busy(let path):
            return "database \(path) is busy: another process holds it (a first import into a new store keeps it "
                + "until the import ends); try again when it has finished"
        case .sqlite(let path, let detail):
            return "database \(path): \(detail)"
        }
    }

    /// Maps a GRDB error to the clearest message for this database.
    static func wrap(_ error: Error, path: String) -> Error {
        if error is StoreError { return error }
        guard let db = error as? DatabaseError else { return error }
        let detail = db.message ?? "\(db.resultCode)"
        switch db.resultCode.primaryResultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return StoreError.notADatabase(path: path, detail: detail)
        case .SQLITE_READONLY: return StoreError.readOnly(path: path, detail: detail)
        case .SQLITE_BUSY, .SQLITE_LOCKED: return StoreError.busy(path: path)
        case .SQLITE_CANTOPEN:
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) { return StoreError.missingDirectory(path: path) }
            return StoreError.readOnly(path: path, detail: detail)
        default: return StoreError.sqlite(path: path, detail: "\(detail) (SQLite code \(db.resultCode.rawValue))")
        }
    }
}
