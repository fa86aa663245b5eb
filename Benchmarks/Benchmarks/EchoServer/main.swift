// An echo server on ShardRuntime or on SwiftNIO, for side-by-side measurement.
//   EchoServer shard|nio <threads> <port>
// Prints "ready <port>" once listening; exits when standard input closes.
import NIOCore
import NIOPosix
import ShardRuntime
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count == 4, let threads = Int(arguments[2]), let port = UInt16(arguments[3]) else {
    print("usage: EchoServer shard|nio <threads> <port>")
    exit(2)
}

var limit = rlimit()
getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
limit.rlim_cur = limit.rlim_max
setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)

/// Blocks until standard input reaches end of file (the driver closes it to stop us).
func waitForStandardInputToClose() {
    var byte: UInt8 = 0
    while read(0, &byte, 1) > 0 {}
}

final class EchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }
}

switch arguments[1] {
case "shard", "shard-fd":
    // "shard-fd": the same server on ordinary descriptors (registered files off).
    var settings = RuntimeSettings(shards: threads)
    settings.pinThreads = false
    settings.fixedFiles = arguments[1] == "shard"
    let runtime = try ShardRuntime(settings: settings)
    let bound = try await runtime.listen(host: "127.0.0.1", port: port) { connection in
        do {
            while let bytes = try await connection.read() { try await connection.write(bytes) }
        } catch {}
    }
    print("ready \(bound)")
    fflush(nil)
    waitForStandardInputToClose()
    await runtime.shutdown(gracePeriod: .seconds(2))
case "nio":
    let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
    let channel = try await ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(EchoHandler())
            }
        }
        .bind(host: "127.0.0.1", port: Int(port)).get()
    print("ready \(channel.localAddress?.port ?? 0)")
    fflush(nil)
    waitForStandardInputToClose()
    try await channel.close()
    try await group.shutdownGracefully()
default:
    print("unknown runtime \(arguments[1])")
    exit(2)
}
