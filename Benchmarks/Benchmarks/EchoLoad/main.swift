// Echo load client: one thread, epoll, non-blocking sockets.
//   EchoLoad <port> <connections> <seconds> <message bytes>   ping-pong; prints round trips
//   EchoLoad <port> <connections> idle                          opens, prints "open", holds
// Each connection keeps one message in flight: send, wait for all of it back, repeat.
import CEpoll
#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 4, let port = UInt16(arguments[1]), let connectionCount = Int(arguments[2]) else {
    print("usage: EchoLoad <port> <connections> <seconds>|idle [message bytes]")
    exit(2)
}

var limit = rlimit()
getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
limit.rlim_cur = limit.rlim_max
setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)

func connectTo(port: UInt16) -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    if result != 0 {
        perror("connect")
        exit(1)
    }
    var one: Int32 = 1
    setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    return descriptor
}

var sockets: [Int32] = []
for _ in 0..<connectionCount { sockets.append(connectTo(port: port)) }

if arguments[3] == "idle" {
    print("open \(sockets.count)")
    fflush(nil)
    var byte: UInt8 = 0
    while read(0, &byte, 1) > 0 {}
    exit(0)
}

guard let seconds = Double(arguments[3]) else { exit(2) }
let messageSize = arguments.count > 4 ? Int(arguments[4]) ?? 64 : 64
let message = [UInt8](repeating: 0x61, count: messageSize)
var received = [Int](repeating: 0, count: connectionCount)
var indexOf: [Int32: Int] = [:]
let poller = epoll_create1(0)
for (index, descriptor) in sockets.enumerated() {
    _ = fcntl(descriptor, F_SETFL, O_NONBLOCK)
    indexOf[descriptor] = index
    var event = epoll_event()
    event.events = UInt32(EPOLLIN.rawValue)
    event.data.fd = descriptor
    epoll_ctl(poller, EPOLL_CTL_ADD, descriptor, &event)
}

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

var roundTrips = 0
var buffer = [UInt8](repeating: 0, count: 65536)
var events = [epoll_event](repeating: epoll_event(), count: 512)
for descriptor in sockets { _ = message.withUnsafeBytes { send(descriptor, $0.baseAddress, messageSize, 0) } }
let start = now()
let deadline = start + seconds
while true {
    let ready = epoll_wait(poller, &events, Int32(events.count), 100)
    if ready > 0 {
        for event in events[0..<Int(ready)] {
            let descriptor = event.data.fd
            let index = indexOf[descriptor]!
            let got = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if got <= 0 { continue }
            received[index] += got
            if received[index] >= messageSize {
                received[index] -= messageSize
                roundTrips += 1
                _ = message.withUnsafeBytes { send(descriptor, $0.baseAddress, messageSize, 0) }
            }
        }
    }
    if now() >= deadline { break }
}
let elapsed = now() - start
print("roundtrips \(roundTrips) seconds \(elapsed)")
