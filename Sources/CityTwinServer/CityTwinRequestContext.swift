import Hummingbird
import NIOCore

/// Request context carrying the client address, for the loopback rule on writes.
public struct CityTwinRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The connection, so the live stream can close a client that fell behind.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        channel = source.channel
    }

    /// Bodies are limited per route by `ServerConfig.limits.maxBodyBytes`.
    public var maxUploadSize: Int { 64 * 1024 * 1024 }
}
