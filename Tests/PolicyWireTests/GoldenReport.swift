import InteropSupport
import NIOCore
import OrderedCollections
import PolicyWire

/// Describes a decoded value as JSON for the Python checker, independently of the codec's own key table:
/// field names come from the Swift property names (camelCase → snake_case), so a codec that swapped two
/// keys symmetrically on decode and encode would still be caught.
enum GoldenReport {
    static func json(_ value: Any) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    private static func write(_ value: Any, into out: inout String) {
        switch value {
        case let tensor as PolicyTensor:
            write(
                OrderedDictionary<String, Any>(uniqueKeysWithValues: [
                    ("dtype", tensor.dtype.wireName as Any), ("shape", tensor.shape as Any),
                    ("values", tensor.doubles() as Any),
                ]), into: &out)
        case let image as WireImage:
            switch image {
            case .jpeg(let data):
                write(
                    OrderedDictionary<String, Any>(uniqueKeysWithValues: [
                        ("codec", "jpeg" as Any), ("data_hex", Array(data.readableBytesView).hexString as Any),
                    ]), into: &out)
            case .raw(let h, let w, let data):
                write(
                    OrderedDictionary<String, Any>(uniqueKeysWithValues: [
                        ("codec", "raw" as Any), ("shape", [h, w, 3] as Any),
                        ("data_hex", Array(data.readableBytesView).hexString as Any),
                    ]), into: &out)
            }
        case let images as OrderedDictionary<String, WireImage>:
            write(images.map { [$0.key as Any, $0.value as Any] }, into: &out)
        case let tags as OrderedDictionary<String, String>:
            write(tags.map { [$0.key as Any, $0.value as Any] }, into: &out)
        case let object as OrderedDictionary<String, Any>:
            out += "{"
            for (i, (key, item)) in object.enumerated() {
                if i > 0 { out += ", " }
                writeString(key, into: &out)
                out += ": "
                write(item, into: &out)
            }
            out += "}"
        case let type as AttachmentHeader.MessageType:
            out += String(type.rawValue)
        case let s as String: writeString(s, into: &out)
        case let b as Bool: out += b ? "true" : "false"
        case let d as Double: out += d.isFinite ? "\(d)" : "null"
        case let i as any BinaryInteger: out += "\(i)"
        case let list as [Any]:
            out += "["
            for (i, item) in list.enumerated() {
                if i > 0 { out += ", " }
                write(item, into: &out)
            }
            out += "]"
        default:
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                if let child = mirror.children.first { write(child.value, into: &out) } else { out += "null" }
                return
            }
            var fields = OrderedDictionary<String, Any>()
            for child in mirror.children {
                guard let label = child.label else { continue }
                fields[snakeCase(label)] = child.value
            }
            write(fields, into: &out)
        }
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// `seqIDEcho` → `seq_id_echo`, `trainedFPS` → `trained_fps`, `clientMonoNs` → `client_mono_ns`.
    static func snakeCase(_ name: String) -> String {
        let chars = Array(name)
        var out = ""
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0 {
                let previous = chars[i - 1]
                let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) {
                    out += "_"
                }
            }
            out += c.lowercased()
        }
        return out
    }
}
