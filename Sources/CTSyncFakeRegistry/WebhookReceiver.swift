import CTSyncCore
import Foundation

/// A webhook endpoint on loopback that records what it receives and can fail on purpose.
public final class WebhookReceiver: @unchecked Sendable {
    private let lock = NSLock()
    private var server: LoopbackServer?
    private var failuresLeft = 0
    private var failStatus = 500
    private var delay: TimeInterval = 0
    private var received: [LoopbackServer.Request] = []
    private var acceptedBodies: [Data] = []

    public init() {}

    /// The URL to post to.
    public private(set) var url = ""

    public func start() throws {
        let server = LoopbackServer { [weak self] request in
            guard let self else { return .response(.init(status: 503, text: "stopped")) }
            let wait = self.lock.withLock { self.delay }
            return self.lock.withLock {
                self.received.append(request)
                if self.failuresLeft > 0 {
                    self.failuresLeft -= 1
                    return LoopbackServer.Reply.response(.init(status: self.failStatus, text: "failing on purpose"))
                }
                self.acceptedBodies.append(request.body)
                return nil
            } ?? { () -> LoopbackServer.Reply in
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                return .response(.init(status: 204, text: ""))
            }()
        }
        try server.start()
        url = "http://127.0.0.1:\(server.port)/hook"
        lock.withLock { self.server = server }
    }

    public func stop() { lock.withLock { server }?.stop() }

    /// Fails the next `count` requests with `status`.
    public func fail(next count: Int, status: Int = 500) {
        lock.withLock {
            failuresLeft = count
            failStatus = status
        }
    }

    /// Holds each accepted request this long before answering (after recording it).
    public func delayResponses(by seconds: TimeInterval) { lock.withLock { delay = seconds } }

    /// Every request received, failed ones included.
    public var requests: [LoopbackServer.Request] { lock.withLock { received } }

    /// The JSON bodies of the requests that were accepted.
    public var accepted: [JSONValue] {
        lock.withLock { acceptedBodies }.compactMap { try? JSONParser.parse($0) }
    }
}
