import Foundation
import Testing
@testable import IMAPServer

@Suite struct ServerSettingsTests {
    @Test func defaultsWithNothingSet() async throws {
        let settings = try await ServerSettings.load(from: SettingsSource())
        #expect(settings == ServerSettings())
        #expect(settings.listenAddress == "127.0.0.1")
    }

    @Test func environmentNeedsThePrefix() async throws {
        let settings = try await ServerSettings.load(from: SettingsSource(environment: [
            "MAILSHARD_LISTEN_PORT": "2143",
            "LISTEN_ADDRESS": "0.0.0.0",
        ]))
        #expect(settings.listenPort == 2143)
        #expect(settings.listenAddress == "127.0.0.1")
    }

    @Test func layersOverrideInOrder() async throws {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("mailshard-settings-\(UUID().uuidString).json")
        try #"{"listen": {"port": 3143, "address": "127.0.0.2"}, "data": {"dir": "/srv/mail"}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }

        let fromFile = try await ServerSettings.load(from: SettingsSource(configFile: file.path))
        #expect(fromFile.listenPort == 3143)
        #expect(fromFile.dataDirectory == "/srv/mail")

        let envOverFile = try await ServerSettings.load(from: SettingsSource(
            environment: ["MAILSHARD_LISTEN_PORT": "4143"], configFile: file.path))
        #expect(envOverFile.listenPort == 4143)
        #expect(envOverFile.listenAddress == "127.0.0.2")

        let flagOverEnv = try await ServerSettings.load(from: SettingsSource(
            flags: [.listenPort: "5143"], environment: ["MAILSHARD_LISTEN_PORT": "4143"], configFile: file.path))
        #expect(flagOverEnv.listenPort == 5143)
    }

    @Test(arguments: ["abc", "70000", "0"])
    func invalidPortIsRejectedByName(value: String) async throws {
        let error = await #expect(throws: InvalidSetting.self) {
            try await ServerSettings.load(from: SettingsSource(environment: ["MAILSHARD_LISTEN_PORT": value]))
        }
        #expect(error?.description.contains("MAILSHARD_LISTEN_PORT") == true)
    }

    @Test func logLevelIsCheckedByName() async throws {
        let debug = try await ServerSettings.load(from: SettingsSource(environment: ["MAILSHARD_LOG_LEVEL": "DEBUG"]))
        #expect(debug.logLevel == .debug)
        await #expect(throws: InvalidSetting.self) {
            try await ServerSettings.load(from: SettingsSource(environment: ["MAILSHARD_LOG_LEVEL": "loud"]))
        }
    }

    @Test func runtimeTunablesComeFromTheEnvironment() async throws {
        let settings = try await ServerSettings.load(from: SettingsSource(environment: [
            "MAILSHARD_SHARDS": "3",
            "MAILSHARD_RING_ENTRIES": "1024",
            "MAILSHARD_RECV_BUFFER_SIZE": "8192",
            "MAILSHARD_RECV_BUFFER_COUNT": "64",
            "MAILSHARD_SEND_ZC_THRESHOLD": "0",
            "MAILSHARD_PIN_THREADS": "false",
            "MAILSHARD_MAX_OUTPUT_BYTES": "65536",
            "MAILSHARD_STALLED_PEER_TIMEOUT": "5",
            "MAILSHARD_SPLICE_CHUNK": "131072",
            "MAILSHARD_SPLICE_PIPE_SIZE": "262144",
            "MAILSHARD_SPLICE_PIPES": "7",
            "MAILSHARD_INLINE_FILE_SEND_LIMIT": "0",
            "MAILSHARD_TCP_CONGESTION": "cubic",
            "MAILSHARD_LISTEN_BACKLOG": "64",
            "MAILSHARD_JOBS_PER_TURN": "100",
            "MAILSHARD_FIXED_FILES": "false",
            "MAILSHARD_FIXED_FILE_SLOTS": "5000",
        ]))
        let runtime = settings.runtime
        #expect(runtime.shards == 3)
        #expect(runtime.ringEntries == 1024)
        #expect(runtime.receiveBufferSize == 8192)
        #expect(runtime.receiveBufferCount == 64)
        #expect(runtime.sendZeroCopyThreshold == 0)
        #expect(runtime.pinThreads == false)
        #expect(runtime.maxOutputBytesPerConnection == 65536)
        #expect(runtime.stalledPeerTimeout == .seconds(5))
        #expect(runtime.spliceChunkSize == 131072)
        #expect(runtime.splicePipesPerShard == 7)
        #expect(runtime.splicePipeSize == 262144)
        #expect(runtime.inlineFileSendLimit == 0)
        #expect(runtime.tcpCongestionControl == "cubic")
        #expect(runtime.listenBacklog == 64)
        #expect(runtime.jobsPerTurn == 100)
        #expect(runtime.fixedFiles == false)
        #expect(runtime.fixedFileSlots == 5000)
    }

    /// Unset or empty keeps the system's congestion control (no TCP_CONGESTION at all).
    @Test(arguments: [[:], ["MAILSHARD_TCP_CONGESTION": ""]])
    func congestionControlDefaultsToTheSystems(environment: [String: String]) async throws {
        let settings = try await ServerSettings.load(from: SettingsSource(environment: environment))
        #expect(settings.runtime.tcpCongestionControl == nil)
        #expect(settings.describedLines().contains("tcp-congestion =   (MAILSHARD_TCP_CONGESTION)"))
    }

    @Test func pinThreadsMustBeABoolean() async throws {
        await #expect(throws: InvalidSetting.self) {
            try await ServerSettings.load(from: SettingsSource(environment: ["MAILSHARD_PIN_THREADS": "sometimes"]))
        }
    }

    /// Tuning/README.md is the operator's list: every setting must be in it.
    @Test(arguments: SettingKey.all)
    func everySettingIsDocumented(setting: SettingKey) throws {
        let readme = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tuning/README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        #expect(text.contains("`\(setting.environmentVariable)`"), "Tuning/README.md does not list \(setting.environmentVariable)")
    }

    @Test func environmentVariableNames() {
        #expect(SettingKey.listenPort.environmentVariable == "MAILSHARD_LISTEN_PORT")
        #expect(SettingKey.dataDirectory.environmentVariable == "MAILSHARD_DATA_DIR")
        #expect(SettingKey.passwdFile.environmentVariable == "MAILSHARD_AUTH_PASSWD_FILE")
    }

    @Test func passwdFileFollowsDataDirectoryUnlessSet() async throws {
        let defaulted = try await ServerSettings.load(from: SettingsSource(flags: [.dataDirectory: "/srv/mail"]))
        #expect(defaulted.passwdFile == "/srv/mail/passwd")
        let explicit = try await ServerSettings.load(from: SettingsSource(
            environment: ["MAILSHARD_AUTH_PASSWD_FILE": "/etc/mailshard/users"]))
        #expect(explicit.passwdFile == "/etc/mailshard/users")
    }
}

/// SEARCH's workers and chunk size (`SearchScheduler`).
@Suite struct SearchSettingsTests {
    @Test func defaultsFollowTheShards() async throws {
        let settings = try await ServerSettings.load(from: SettingsSource(environment: ["MAILSHARD_SHARDS": "3"]))
        #expect(settings.searchWorkers == 0)
        #expect(settings.searchWorkerCount == 3)
        #expect(settings.searchChunkMessages == 8192)
        #expect(settings.searchPerUser == 4)
        #expect(settings.describedLines().contains("search.workers = 3  (MAILSHARD_SEARCH_WORKERS)"))
    }

    @Test func setFromTheEnvironmentAndTheFile() async throws {
        let fromEnvironment = try await ServerSettings.load(from: SettingsSource(environment: [
            "MAILSHARD_SEARCH_WORKERS": "5", "MAILSHARD_SEARCH_CHUNK_MESSAGES": "1024", "MAILSHARD_SEARCH_PER_USER": "0",
        ]))
        #expect(fromEnvironment.searchPerUser == 0)
        #expect(fromEnvironment.searchWorkers == 5)
        #expect(fromEnvironment.searchWorkerCount == 5)
        #expect(fromEnvironment.searchChunkMessages == 1024)
        #expect(fromEnvironment.describedLines().contains("search.chunk-messages = 1024  (MAILSHARD_SEARCH_CHUNK_MESSAGES)"))

        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("mailshard-settings-\(UUID().uuidString).json")
        try #"{"search": {"workers": 2, "chunk-messages": 64}}"#.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try await ServerSettings.load(from: SettingsSource(configFile: file.path))
        #expect(fromFile.searchWorkers == 2)
        #expect(fromFile.searchChunkMessages == 64)
    }

    @Test(arguments: [
        ("MAILSHARD_SEARCH_WORKERS", "-1", "outside 0...1024"),
        ("MAILSHARD_SEARCH_WORKERS", "1025", "outside 0...1024"),
        ("MAILSHARD_SEARCH_WORKERS", "many", "\"many\" is not an integer"),
        ("MAILSHARD_SEARCH_CHUNK_MESSAGES", "0", "outside 64...1048576"),
        ("MAILSHARD_SEARCH_CHUNK_MESSAGES", "63", "outside 64...1048576"),
        ("MAILSHARD_SEARCH_CHUNK_MESSAGES", "1048577", "outside 64...1048576"),
        ("MAILSHARD_SEARCH_CHUNK_MESSAGES", "8k", "\"8k\" is not an integer"),
        ("MAILSHARD_SEARCH_PER_USER", "-1", "outside 0...1024"),
        ("MAILSHARD_SEARCH_PER_USER", "1025", "outside 0...1024"),
        ("MAILSHARD_TCP_CONGESTION", "Cubic", "\"Cubic\" is not a congestion-control name"),
        ("MAILSHARD_TCP_CONGESTION", "cubic;reno", "is not a congestion-control name"),
        ("MAILSHARD_TCP_CONGESTION", "a_name_of_16byte", "is not a congestion-control name"),
    ])
    func invalidValuesStopTheStartByName(variable: String, value: String, reason: String) async throws {
        let error = await #expect(throws: InvalidSetting.self) {
            try await ServerSettings.load(from: SettingsSource(environment: [variable: value]))
        }
        #expect(error?.description.contains(variable) == true, "\(String(describing: error))")
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
    }

    /// The server's scheduler takes what the settings say.
    @Test func theServerUsesThem() async throws {
        let server = try await TestServer(shards: 2) { settings in
            settings.searchWorkers = 3
            settings.searchChunkMessages = 100
            settings.searchPerUser = 2
        }
        #expect(server.server.context.searchAdmission.limit == 2)
        #expect(server.server.context.searchScheduler.workers == 3)
        #expect(server.server.context.searchScheduler.chunkRows == 100)
        await server.stop()
        let defaulted = try await TestServer(shards: 2)
        #expect(defaulted.server.context.searchScheduler.workers == 2)
        #expect(defaulted.server.context.searchScheduler.chunkRows == 8192)
        await defaulted.stop()
    }
}
