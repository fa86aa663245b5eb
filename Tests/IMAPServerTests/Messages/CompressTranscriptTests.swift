import Foundation
import ShardRuntime
import Testing
@testable import IMAPServer

/// COMPRESS DEFLATE (RFC 4978): the tagged OK is the last plain byte, then both
/// directions are one raw DEFLATE stream each; refusals leave compression off.
/// The client side compresses with a `DeflateLayer` of its own (the layer itself
/// is checked against zlib in ShardRuntimeTests, and against Python's zlib in
/// the interop suite).
@Suite(.serialized) struct CompressTranscriptTests {
    @Test func commandsAndResponsesFlowCompressedAfterTheOK() async throws {
        let server = try await MessageTestServer(shards: 1)
        let alice = try await server.client(enableRev2: true)
        #expect(try await alice.run("C1 COMPRESS DEFLATE") == ["C1 OK DEFLATE active"])
        try alice.client.compress()
        let body = crlf(["Subject: squeezed", "", String(repeating: "compressible text ", count: 4000)])
        let appended = try await alice.append(tag: "A1", body)
        #expect(appended.last?.hasPrefix("A1 OK [APPENDUID ") == true, "\(appended)")
        try alice.client.send("F1 FETCH 1 BODY.PEEK[]")
        let expected = Array("* 1 FETCH (BODY[] {\(body.count)}\r\n".utf8) + body
            + Array(")\r\nF1 OK FETCH completed\r\n".utf8)
        #expect(await alice.client.nextBytes(expected.count) == expected)
        #expect(try await alice.run("C2 COMPRESS DEFLATE") == ["C2 NO [COMPRESSIONACTIVE] DEFLATE is already active"])
        #expect(try await alice.run("N1 NOOP") == ["N1 OK NOOP completed"])
        try alice.client.send("L1 LOGOUT")
        #expect(await alice.readLine() == "* BYE Logging out")
        #expect(await alice.readLine() == "L1 OK LOGOUT completed")
        await server.stop()
    }

    /// A body large enough for the runtime's file paths (inline sendfile and the
    /// splice chain without a layer) is read and compressed instead, exact.
    @Test func largeBodiesFromMessageFilesArriveExact() async throws {
        let server = try await MessageTestServer(shards: 1)
        let alice = try await server.client(enableRev2: true)
        var lines = ["Subject: large", ""]
        for number in 0..<30_000 { lines.append("line \(number) of a large body sent through the compressor") }
        let body = crlf(lines)
        #expect(try await alice.append(tag: "A1", body).last?.hasPrefix("A1 OK ") == true)
        #expect(try await alice.run("C1 COMPRESS DEFLATE") == ["C1 OK DEFLATE active"])
        try alice.client.compress()
        try alice.client.send("F1 FETCH 1 BODY.PEEK[]")
        let expected = Array("* 1 FETCH (BODY[] {\(body.count)}\r\n".utf8) + body
            + Array(")\r\nF1 OK FETCH completed\r\n".utf8)
        #expect(await alice.client.nextBytes(expected.count) == expected)
        await server.stop()
    }

    /// Idlers that compress hear a change fanned out to them like any other idler.
    @Test func compressedIdlersHearChanges() async throws {
        let server = try await MessageTestServer(shards: 1)
        var idlers: [Transcript] = []
        for index in 0..<3 {
            let idler = try await server.client(enableRev2: true)
            if index != 1 {
                #expect(try await idler.run("C COMPRESS DEFLATE") == ["C OK DEFLATE active"])
                try idler.client.compress()
            }
            try idler.client.send("I IDLE")
            #expect(await idler.readLine() == "+ idling")
            idlers.append(idler)
        }
        let writer = try await server.client(select: nil)
        _ = try await writer.append(tag: "A1", plainMessage)
        for idler in idlers {
            #expect(await idler.readLine() == "* 1 EXISTS")
            try idler.client.send("DONE")
            #expect(await idler.readLine() == "I OK IDLE terminated")
        }
        await server.stop()
    }

    @Test func refusalsLeaveCompressionOff() async throws {
        let server = try await TestServer()
        let client = try await server.connect()
        try await runTranscript(client, """
            C: a1 COMPRESS DEFLATE
            S: a1 BAD COMPRESS not allowed: log in first
            C: l0 LOGIN alice secret
            """)
        _ = await client.nextLine()
        // Commands written after COMPRESS without waiting for its result were
        // sent plain: compression can't start under them.
        try await runTranscript(client, """
            C: a2 COMPRESS GZIP
            S: a2 BAD Unknown compression algorithm GZIP; DEFLATE is offered
            C: a3 COMPRESS DEFLATE
            C: a4 NOOP
            S: a3 BAD Commands sent after COMPRESS before its result; compression stays off
            S: a4 OK NOOP completed
            C: a5 LOGOUT
            S: * BYE Logging out
            S: a5 OK LOGOUT completed
            """)
        await server.stop()
    }
}
