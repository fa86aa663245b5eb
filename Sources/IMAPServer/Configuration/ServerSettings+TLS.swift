import Configuration
import Logging
import ShardRuntime

extension ServerSettings {
    /// Whether a certificate is configured: STARTTLS is offered and the implicit
    /// TLS port may listen.
    public var tlsConfigured: Bool { tlsCertificateFile != nil }

    /// Reads the TLS settings; a half-configured pair, or a TLS port without a
    /// certificate, is refused at start rather than discovered by a client.
    mutating func loadTLS(_ config: ConfigReader) throws {
        tlsCertificateFile = config.string(forKey: SettingKey.tlsCertificateFile.configKey).flatMap { $0.isEmpty ? nil : $0 }
        tlsKeyFile = config.string(forKey: SettingKey.tlsKeyFile.configKey).flatMap { $0.isEmpty ? nil : $0 }
        tlsListenPort = try config.integer(.tlsListenPort, default: 0, in: 0...65535)
        switch (tlsCertificateFile, tlsKeyFile) {
        case (nil, nil), (.some, .some): break
        case (.some, nil): throw InvalidSetting(setting: .tlsKeyFile, reason: "a certificate is set without its private key")
        case (nil, .some): throw InvalidSetting(setting: .tlsCertificateFile, reason: "a private key is set without its certificate")
        }
        if tlsListenPort != 0 && !tlsConfigured {
            throw InvalidSetting(setting: .tlsListenPort, reason: "implicit TLS needs tls.cert-file and tls.key-file")
        }
        if tlsListenPort != 0 && tlsListenPort == listenPort {
            throw InvalidSetting(setting: .tlsListenPort, reason: "\(tlsListenPort) is also listen.port")
        }
    }

    /// The server's certificate from the configured files (re-read when they
    /// change), or nil without them.
    func makeServerCertificate(logger: Logger) throws -> ServerCertificate? {
        guard let tlsCertificateFile, let tlsKeyFile else { return nil }
        return try ServerCertificate(certificateFile: tlsCertificateFile, keyFile: tlsKeyFile, logger: logger)
    }
}
