import CURing
#if canImport(Glibc)
import Glibc
#endif

extension Connection {
    /// The peer's address as "ip:port" (IPv6 as "[ip]:port"), for logs and
    /// per-address limits; nil once the connection is closed. Looked up once
    /// (`getpeername`) and remembered.
    public nonisolated(nonsending) func peerAddress() async -> String? {
        await withUnsafeContinuation { continuation in
            shard.execute {
                guard self.failure == nil else {
                    continuation.resume(returning: self.cachedPeerAddress)
                    return
                }
                // A slot has no getpeername: its address was read when it was accepted.
                if self.cachedPeerAddress == nil, case .ordinary(let descriptor) = self.descriptor {
                    self.cachedPeerAddress = Self.lookUpPeer(descriptor)
                }
                continuation.resume(returning: self.cachedPeerAddress)
            }
        }
    }

    private static func string(_ nulTerminated: [CChar]) -> String {
        String(decoding: nulTerminated.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func lookUpPeer(_ descriptor: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(descriptor, $0, &length) }
        }
        guard result == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address -> String? in
                    var ip = address.pointee.sin_addr
                    guard inet_ntop(AF_INET, &ip, &text, socklen_t(text.count)) != nil else { return nil }
                    return "\(Self.string(text)):\(UInt16(bigEndian: address.pointee.sin_port))"
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address -> String? in
                    var ip = address.pointee.sin6_addr
                    guard inet_ntop(AF_INET6, &ip, &text, socklen_t(text.count)) != nil else { return nil }
                    return "[\(Self.string(text))]:\(UInt16(bigEndian: address.pointee.sin6_port))"
                }
            }
        default:
            return nil
        }
    }
}
