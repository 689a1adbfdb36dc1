import Foundation
import Hummingbird

/// A JSON answer from pre-serialised text (the API builds JSON by hand so
/// member order and number formatting are under its control).
struct JSONResponse: ResponseGenerator {
    let text: String
    var status: HTTPResponse.Status = .ok

    init(text: String, status: HTTPResponse.Status = .ok) {
        self.text = text
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
