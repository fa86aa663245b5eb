import IMAPCodec

extension IMAPConnection {
    /// Sends `command`, a header FETCH over all `exists` messages of the open mailbox,
    /// and checks its answer as ``ResponseValidator/validateHeaderFetch(_:exists:)``
    /// does, reading it through `receiver`'s fast lane (the generic reader alone when
    /// a response from before is still being read). Returns the header bytes received.
    public func fetchHeaders(_ command: Command, exists: UInt32, receiver: HeaderFetchReceiver) throws(LoadError) -> Int {
        let tag = try send(command)
        guard reader.isAtResponseBoundary else {
            return try ResponseValidator.validateHeaderFetch(try collect(tag: tag), exists: exists)
        }
        receivedSinceMark = 0
        let status = try receiver.run(
            exists: exists, reader: &reader,
            receive: { (buffer) throws(LoadError) -> Int in
                let count = try socket.receive(into: buffer)
                receivedSinceMark += count
                return count
            },
            settle: { (response) throws(LoadError) -> StatusResponse? in try settle(response, tag: tag, untagged: { _ in }) })
        return try receiver.tally.finish(status: status)
    }
}
