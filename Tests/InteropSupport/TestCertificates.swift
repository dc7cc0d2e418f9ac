public import Foundation

/// Certificates for the TLS tests, made fresh by the `openssl` command line in a temporary directory:
/// a CA, a server certificate (SAN IP:127.0.0.1 and DNS:localhost, EC key in SEC1 form), a client certificate
/// (RSA key in PKCS#1 form), and for the refusals a second CA with its own client certificate (PKCS#8 key) and
/// a server certificate that names only `other.example`.
public struct TestCertificates: Sendable {
    public let directory: URL
    public var ca: String { self.path("ca.pem") }
    public var serverCertificate: String { self.path("server.pem") }
    public var serverKey: String { self.path("server-key.pem") }
    public var clientCertificate: String { self.path("client.pem") }
    public var clientKey: String { self.path("client-key.pem") }
    public var otherCA: String { self.path("other-ca.pem") }
    public var otherClientCertificate: String { self.path("other-client.pem") }
    public var otherClientKey: String { self.path("other-client-key.pem") }
    public var wrongNameCertificate: String { self.path("wrong-name.pem") }
    public var wrongNameKey: String { self.path("wrong-name-key.pem") }

    public func path(_ name: String) -> String { self.directory.appendingPathComponent(name).path }

    /// Makes every file; throws with openssl's output when a step fails.
    public static func make() throws -> TestCertificates {
        let certificates = TestCertificates(directory: try PythonRunner.temporaryDirectory("tls"))
        try certificates.generate()
        return certificates
    }

    private func generate() throws {
        let leaf =
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
            + "extendedKeyUsage=serverAuth,clientAuth\n"
        try (leaf + "subjectAltName=IP:127.0.0.1,DNS:localhost\n").write(
            toFile: self.path("server.ext"), atomically: true, encoding: .utf8)
        try (leaf + "subjectAltName=DNS:client.example\n").write(
            toFile: self.path("client.ext"), atomically: true, encoding: .utf8)
        try (leaf + "subjectAltName=DNS:other.example\n").write(
            toFile: self.path("wrong-name.ext"), atomically: true, encoding: .utf8)
        for ca in ["ca", "other-ca"] {
            try self.openssl(
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(ca)-key.pem", "-out", "\(ca).pem",
                "-days", "2", "-subj", "/CN=Test \(ca)")
        }
        try self.openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "server-key.pem")  // SEC1
        try self.openssl("genrsa", "-traditional", "-out", "client-key.pem", "2048")  // PKCS#1
        try self.openssl("genpkey", "-algorithm", "RSA", "-out", "other-client-key.pem")  // PKCS#8
        try self.openssl("genpkey", "-algorithm", "RSA", "-out", "wrong-name-key.pem")
        try self.sign("server", key: "server-key.pem", ca: "ca", ext: "server.ext")
        try self.sign("client", key: "client-key.pem", ca: "ca", ext: "client.ext")
        try self.sign("other-client", key: "other-client-key.pem", ca: "other-ca", ext: "client.ext")
        try self.sign("wrong-name", key: "wrong-name-key.pem", ca: "ca", ext: "wrong-name.ext")
    }

    private func sign(_ name: String, key: String, ca: String, ext: String) throws {
        try self.openssl("req", "-new", "-key", key, "-out", "\(name).csr", "-subj", "/CN=\(name)")
        try self.openssl(
            "x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca)-key.pem", "-CAcreateserial",
            "-out", "\(name).pem", "-days", "2", "-extfile", ext)
    }

    private func openssl(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = self.directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PythonRunner.Failure(
                description: "openssl \(arguments.joined(separator: " ")) exited \(process.terminationStatus):\n"
                    + String(decoding: output, as: UTF8.self))
        }
    }
}
