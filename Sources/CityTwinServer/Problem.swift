import CityOps
import Foundation
import Hummingbird

/// An RFC 9457 problem: every error the API returns, as Hummingbird's
/// `HTTPResponseError` (so it renders itself wherever it is thrown).
/// Module errors become problems in one place (`ErrorMapping.swift`).
public struct Problem: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String
    public var type: String

    public init(_ status: HTTPResponse.Status, _ detail: String, title: String? = nil, type: String = "about:blank") {
        self.status = status
        self.detail = detail
        self.title = title ?? status.reasonPhrase
        self.type = type
    }

    public static func badParameter(_ name: String, _ why: String) -> Problem {
        Problem(.badRequest, "parameter \"\(name)\": \(why)", title: "Invalid parameter")
    }

    var body: [String: Any] {
        ["type": type, "title": title, "status": Int(status.code), "detail": detail]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response { response() }

    func response() -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if status == .serviceUnavailable { headers[.retryAfter] = "1" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every thrown error into problem+json (`Problem(answering:)`). Server
/// faults are logged with the underlying error, which never reaches the client.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let p = Problem(answering: error, path: "\(request.method) \(request.uri.path)")
            if p.status.code >= 500 { context.logger.error("\(p.status.code) on \(request.method) \(request.uri.path): \(error)") }
            return p.response()
        }
    }
}
