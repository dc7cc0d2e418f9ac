/// Structured-logging metadata keys of the transport (house style G13).
enum ZenohLogKey {
    static let zid = "zenoh.zid"
    static let link = "zenoh.link"
    static let error = "zenoh.error"
    static let batchSize = "zenoh.batch_size"
    static let lease = "zenoh.lease_ms"
}
