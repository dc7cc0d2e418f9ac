/// Where to connect or listen: `tcp/HOST:PORT` or `tls/HOST:PORT` (Zenoh's locator syntax; a `?metadata`
/// or `#config` tail is accepted and ignored). IPv6 hosts are written in brackets: `tcp/[::1]:7447`.
public struct ZenohEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The link protocol.
    public enum LinkProtocol: String, Sendable, Hashable {
        case tcp
        case tls
    }

    public var linkProtocol: LinkProtocol
    /// Host name or IP address, without brackets.
    public var host: String
    public var port: Int

    public init(linkProtocol: LinkProtocol, host: String, port: Int) {
        self.linkProtocol = linkProtocol
        self.host = host
        self.port = port
    }

    /// Parses `tcp/HOST:PORT` / `tls/HOST:PORT`.
    public init(parsing text: String) throws(ZenohError) {
        let trimmed = text.split(separator: "?", maxSplits: 1).first.map(String.init) ?? text
        let locator = trimmed.split(separator: "#", maxSplits: 1).first.map(String.init) ?? trimmed
        let parts = locator.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let proto = LinkProtocol(rawValue: parts[0]) else {
            throw ZenohError(
                .invalidEndpoint, "endpoint '\(text)' must look like tcp/HOST:PORT or tls/HOST:PORT")
        }
        let address = parts[1]
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ZenohError(.invalidEndpoint, "endpoint '\(text)' has no valid :PORT (0-65535)")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ZenohError(.invalidEndpoint, "endpoint '\(text)' has no host") }
        self.init(linkProtocol: proto, host: host, port: port)
    }

    public var description: String {
        host.contains(":") ? "\(linkProtocol.rawValue)/[\(host)]:\(port)" : "\(linkProtocol.rawValue)/\(host):\(port)"
    }
}
