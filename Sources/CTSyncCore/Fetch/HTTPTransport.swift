import Foundation

/// One HTTP request, as the registry client and the webhook sender describe it.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: Data?

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func == (a: HTTPRequest, b: HTTPRequest) -> Bool {
        a.method == b.method && a.url == b.url && a.body == b.body
            && a.headers.map { "\($0.0): \($0.1)" } == b.headers.map { "\($0.0): \($0.1)" }
    }
}

/// One HTTP response: status, headers (names lower-cased) and the decoded body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as text, for the registry's plain-text error messages.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// A request that never got a complete HTTP response: a connection error, a timeout, a body cut short.
public struct TransportError: Error, LocalizedError, Sendable {
    public enum Kind: Sendable, Equatable {
        case timeout, connect, incompleteBody, other
    }

    public var kind: Kind
    /// The libcurl `CURLcode`, when curl reported the failure.
    public var code: Int32
    public var message: String
    public var url: String

    public init(kind: Kind, code: Int32, message: String, url: String) {
        self.kind = kind
        self.code = code
        self.message = message
        self.url = url
    }

    public var errorDescription: String? { "\(message) (curl error \(code)) for \(url)" }
}

/// The network as a value: production sends over libcurl, tests can swap in anything.
public struct HTTPTransport: Sendable {
    public var send: @Sendable (HTTPRequest) async throws -> HTTPResponse

    public init(send: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse) {
        self.send = send
    }
}
