import CityOps
import Foundation
import Hummingbird

/// An RFC 9457 problem: every error the API returns. Built by routes and
/// middleware; serialised in one place (`ProblemMiddleware`).
public struct Problem: Error, Sendable {
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

    func response() -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every thrown error into problem+json. Unknown errors become a 500
/// whose detail is generic: no SQL, no stack trace ever reaches a client.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let p as Problem {
            return p.response()
        } catch let e as CityOpsError {
            let status: HTTPResponse.Status = switch e.code {
            case .unknownLayer, .unknownFeature: .notFound
            case .invalidParameter: .badRequest
            case .unusable: .unprocessableContent
            case .tooLarge: .contentTooLarge
            case .storage: .internalServerError
            }
            return Problem(status, status == .internalServerError ? "internal error" : e.message).response()
        } catch let e as HTTPError {
            let detail = e.body ?? (e.status == .notFound ? "no route \(request.method) \(request.uri.path)" : e.status.reasonPhrase)
            return Problem(e.status, detail).response()
        } catch {
            context.logger.error("unhandled error on \(request.uri.path): \(error)")
            return Problem(.internalServerError, "internal error").response()
        }
    }
}
