import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 for tests and demos: one thread per connection, `Connection: close`,
/// and full control over what goes on the wire (so a test can cut a body short).
public final class LoopbackServer: @unchecked Sendable {
    /// A request as received.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var parameters: [String: String]
        /// Header names lower-cased.
        public var headers: [String: String]
        public var body: Data
    }

    /// A response, or raw bytes to send before closing the connection.
    public enum Reply: Sendable {
        case response(Response)
        case raw(Data)
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)] = []
        public var body: Data

        public init(status: Int, body: Data, type: String) {
            self.status = status
            self.body = body
            headers = [("Content-Type", type)]
        }

        public init(status: Int, text: String) {
            self.init(status: status, body: Data(text.utf8), type: "text/plain")
        }
    }

    private let handler: @Sendable (Request) -> Reply
    private let lock = NSLock()
    private var listenFD: Int32 = -1

    /// The port it listens on (after `start`).
    public private(set) var port: UInt16 = 0

    public init(handler: @escaping @Sendable (Request) -> Reply) {
        self.handler = handler
    }

    deinit { stop() }

    /// Listens on 127.0.0.1 at `port` (0: any free port) and serves on background threads until `stop`.
    public func start(port requested: UInt16 = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = requested.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw ServerError("cannot listen on 127.0.0.1:\(requested): \(message)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: actual.sin_port)
        lock.withLock { listenFD = fd }
        let thread = Thread { [weak self] in self?.acceptLoop(fd) }
        thread.start()
    }

    /// Stops listening; connections in progress finish on their own.
    public func stop() {
        let fd: Int32 = lock.withLock {
            let fd = listenFD
            listenFD = -1
            return fd
        }
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            DispatchQueue.global().async { [weak self] in
                self?.serve(client)
                close(client)
            }
        }
    }

    private func serve(_ fd: Int32) {
        guard let request = readRequest(fd) else { return }
        switch handler(request) {
        case .response(let r): write(fd, r)
        case .raw(let data): sendAll(fd, data)
        }
    }

    // MARK: - Wire

    private func write(_ fd: Int32, _ r: Response) {
        var head = "HTTP/1.1 \(r.status) \(Self.reason(r.status))\r\n"
        for (name, value) in r.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(r.body.count)\r\nConnection: close\r\n\r\n"
        sendAll(fd, Data(head.utf8) + r.body)
    }

    private func sendAll(_ fd: Int32, _ data: Data) {
        data.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                sent += n
            }
        }
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16_384)
        var headEnd: Int?
        while headEnd == nil {
            guard buffer.count < 65_536 else { return nil }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
            headEnd = buffer.firstRange(of: [13, 10, 13, 10])?.lowerBound
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(buffer[(headEnd! + 4)...])
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while body.count < length {
            let n = recv(fd, &chunk, min(chunk.count, length - body.count), 0)
            if n <= 0 { return nil }
            body.append(contentsOf: chunk[0..<n])
        }
        let (path, parameters) = Self.split(String(parts[1]))
        return Request(method: String(parts[0]), path: path, parameters: parameters, headers: headers, body: Data(body))
    }

    private static func split(_ target: String) -> (String, [String: String]) {
        guard let q = target.firstIndex(of: "?") else { return (target, [:]) }
        var parameters: [String: String] = [:]
        for pair in target[target.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            parameters[decode(kv[0])] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return (String(target[..<q]), parameters)
    }

    private static func decode(_ s: String) -> String {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? s
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 301: return "Moved Permanently"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }

    struct ServerError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}
