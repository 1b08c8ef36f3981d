import CTSyncCore
import Foundation

/// The progress line on stderr (only on a terminal) and, with --verbose, a line per request and retry.
final class Progress: @unchecked Sendable {
    private let enabled: Bool
    private let verbose: Bool
    private let lock = NSLock()
    private let started = Date()
    private var studies = 0
    private var pages = 0
    private var target = ""
    private var total: Int?
    private var shown = false

    init(enabled: Bool, verbose: Bool) {
        self.enabled = enabled
        self.verbose = verbose
    }

    func handle(_ event: SyncEvent) {
        lock.withLock {
            switch event {
            case .targetStarted(let name, let query, let since):
                target = name
                total = nil
                if verbose {
                    line("sync \(name): \(query)" + (since.map { " (posted since \($0))" } ?? " (full listing)"))
                }
            case .page(_, let number, _, let totalCount):
                pages += 1
                total = totalCount ?? total
                if verbose { line("page \(number)") }
            case .study:
                studies += 1
            case .recordFailed(let error):
                if verbose { line("bad record: \(error.localizedDescription)") }
            case .gap(let name, let expected, let received):
                if verbose { line("\(name): expected \(expected) studies, received \(received)") }
            case .event(let kind, let nctId, let watch):
                line("\(nctId): \(kind.rawValue)" + (watch.map { " (watch \($0))" } ?? ""), always: true)
            case .fetch(let e):
                switch e {
                case .request(let url): if verbose { line("GET \(url)") }
                case .retry(let url, let attempt, let delay, let reason):
                    line(String(format: "retry %d of %@ in %.1f s: %@", attempt, url, delay, reason), always: true)
                }
            }
            draw()
        }
    }

    func finish() {
        lock.withLock {
            if enabled && shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }

    private func line(_ text: String, always: Bool = false) {
        guard verbose || (always && enabled) else { return }
        if enabled && shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    private func draw() {
        guard enabled else { return }
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let of = total.map { "/\($0)" } ?? ""
        let text = String(format: "%@: page %d · %d%@ studies · %.1f studies/s", target, pages, studies, of,
                          Double(studies) / elapsed)
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
        shown = true
    }
}
