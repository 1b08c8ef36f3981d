import CCurl
import Foundation

/// Settings of the libcurl transport.
public struct CurlOptions: Sendable {
    public var connectTimeout: TimeInterval = 10
    public var totalTimeout: TimeInterval = 60
    public var userAgent: String = "ctsync/\(CTSyncVersion.string) (+https://clinicaltrials.gov/data-api; libcurl)"

    public init() {}
}

extension HTTPTransport {
    /// HTTP over libcurl: compression, timeouts, TLS verification always on, redirects returned rather than followed
    /// (so that an alias id's 301 can be recorded). Transfers run on one dedicated thread that reuses one handle,
    /// keeping the connection alive between pages.
    public static func curl(_ options: CurlOptions = CurlOptions()) -> HTTPTransport {
        let worker = CurlWorker(options: options)
        return HTTPTransport { request in
            try await worker.perform(request)
        }
    }
}

/// Owns the curl handle and the serial queue that is the only place it is used.
private final class CurlWorker: @unchecked Sendable {
    private let queue = DispatchQueue(label: "ctsync.curl")
    private let options: CurlOptions
    private var handle: UnsafeMutableRawPointer?

    init(options: CurlOptions) {
        CurlGlobal.initialize()
        self.options = options
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
    }

    func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, Error>) in
            queue.async {
                continuation.resume(with: Result { try self.performBlocking(request) })
            }
        }
    }

    private func performBlocking(_ request: HTTPRequest) throws -> HTTPResponse {
        if handle == nil { handle = curl_easy_init() }
        guard let h = handle else {
            throw TransportError(kind: .other, code: -1, message: "curl_easy_init failed", url: request.url)
        }
        curl_easy_reset(h)

        let sink = ResponseSink()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }

        _ = ccurl_setopt_ptr(h, CURLOPT_URL, request.url)
        _ = ccurl_setopt_ptr(h, CURLOPT_USERAGENT, options.userAgent)
        _ = ccurl_setopt_ptr(h, CURLOPT_ACCEPT_ENCODING, "")  // every encoding curl can decode
        _ = ccurl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        _ = ccurl_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(options.totalTimeout * 1000))
        _ = ccurl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        _ = ccurl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        _ = ccurl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        _ = ccurl_setopt_ptr(h, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = ccurl_setopt_data_cb(h, CURLOPT_WRITEFUNCTION, CurlCallbacks.body)
        _ = ccurl_setopt_ptr(h, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
        _ = ccurl_setopt_data_cb(h, CURLOPT_HEADERFUNCTION, CurlCallbacks.header)
        _ = ccurl_setopt_ptr(h, CURLOPT_HEADERDATA, Unmanaged.passUnretained(sink).toOpaque())
        if let headerList { _ = ccurl_setopt_ptr(h, CURLOPT_HTTPHEADER, headerList) }

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            _ = ccurl_setopt_ptr(h, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            defer { _ = ccurl_setopt_ptr(h, CURLOPT_ERRORBUFFER, nil) }
            if request.method == "GET" {
                _ = ccurl_setopt_long(h, CURLOPT_HTTPGET, 1)
                return withExtendedLifetime(sink) { curl_easy_perform(h) }
            }
            _ = ccurl_setopt_ptr(h, CURLOPT_CUSTOMREQUEST, request.method)
            let body = request.body ?? Data()
            return body.withUnsafeBytes { raw in
                _ = ccurl_setopt_long(h, CURLOPT_POSTFIELDSIZE, body.count)
                _ = ccurl_setopt_ptr(h, CURLOPT_POSTFIELDS, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1))
                return withExtendedLifetime(sink) { curl_easy_perform(h) }
            }
        }
        _ = ccurl_setopt_ptr(h, CURLOPT_HTTPHEADER, nil)

        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw TransportError(kind: Self.kind(of: code), code: Int32(code.rawValue), message: message, url: request.url)
        }
        var status = 0
        _ = ccurl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: Data(sink.body))
    }

    private static func kind(of code: CURLcode) -> TransportError.Kind {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return .timeout
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .connect
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_BAD_CONTENT_ENCODING: return .incompleteBody
        default: return .other
        }
    }
}

/// Collects the body bytes and the headers of the final response.
private final class ResponseSink {
    var body: [UInt8] = []
    var headers: [String: String] = [:]
}

private enum CurlCallbacks {
    static let body: ccurl_data_cb = { ptr, size, nmemb, userdata in
        let n = size * nmemb
        guard let ptr, let userdata else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
        ptr.withMemoryRebound(to: UInt8.self, capacity: n) {
            sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
        }
        return n
    }

    static let header: ccurl_data_cb = { ptr, size, nmemb, userdata in
        let n = size * nmemb
        guard let ptr, let userdata else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
        let line = ptr.withMemoryRebound(to: UInt8.self, capacity: n) {
            String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
        }
        if line.hasPrefix("HTTP/") {
            sink.headers = [:]  // a new response (after 100-continue, say): keep only the last one's headers
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            sink.headers[name] = value
        }
        return n
    }
}

/// `curl_global_init` once per process, before any handle.
private enum CurlGlobal {
    static let once: Void = { _ = curl_global_init(Int(CURL_GLOBAL_ALL)) }()
    static func initialize() { _ = once }
}
