import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock that keeps two syncs from writing one database at once.
///
/// An advisory `flock` on a file beside the database: the kernel releases it when the process ends, even by
/// `kill -9`, so a crashed run never leaves a stale lock behind.
public final class SyncLock: @unchecked Sendable {
    public struct Busy: Error, LocalizedError {
        public var lockPath: String
        public var waited: TimeInterval
        public var errorDescription: String? {
            "another ctsync sync is using this database (waited \(Int(waited.rounded())) s for \(lockPath)); try again later or raise --lock-timeout"
        }
    }

    private let fd: Int32
    public let path: String

    /// Takes the lock for `databasePath`, polling for up to `timeout` seconds while another process holds it.
    public init(databasePath: String, timeout: TimeInterval) throws {
        path = databasePath + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw StoreError.readOnly(path: path, detail: String(cString: strerror(errno)))
        }
        let start = Date()
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if Date().timeIntervalSince(start) >= timeout {
                close(fd)
                throw Busy(lockPath: path, waited: timeout)
            }
            usleep(100_000)
        }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
