import CTSyncCore
import Foundation

/// The import progress bar on stderr (only on a terminal): entries, rate, MB/s and ETA; failure lines above it.
final class ImportProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var shown = false

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Draws the bar for `p`.
    func draw(_ p: ImportProgress) {
        guard enabled else { return }
        lock.withLock {
            let elapsed = max(p.elapsed, 0.001)
            let rate = Double(p.studies) / elapsed
            let mbps = Double(p.bytes) / 1e6 / elapsed
            var text: String
            if let total = p.entriesTotal, total > 0 {
                let fraction = min(Double(p.entriesDone) / Double(total), 1)
                let width = 24
                let filled = Int(fraction * Double(width))
                let entryRate = Double(p.entriesDone) / elapsed
                let eta = entryRate > 0 ? Double(total - p.entriesDone) / entryRate : 0
                text = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                text += String(format: "%3.0f%% %d/%d entries", fraction * 100, p.entriesDone, total)
                text += String(format: " · %.0f studies/s · %.1f MB/s · ETA %@", rate, mbps, Self.duration(eta))
            } else {
                text = String(format: "%d entries · %d studies · %.0f studies/s · %.1f MB/s", p.entriesDone, p.studies, rate, mbps)
            }
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            shown = true
        }
    }

    /// Prints a line above the bar (or just prints it when there is no bar).
    func above(_ line: String) {
        lock.withLock {
            if enabled && shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// Clears the bar.
    func finish() {
        lock.withLock {
            if enabled && shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }

    private static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(String(format: "%02d", t % 3600 / 60))m" : t >= 60 ? "\(t / 60)m\(String(format: "%02d", t % 60))s" : "\(t)s"
    }
}
