import Foundation
import JSON
import Tokenizers

// Tokenizer benchmark, Swift side: load time of a tokenizer.json and encode throughput over a list of task strings.
// usage: tokenizers-bench <tokenizer.json> <texts.json> <iterations>   → one JSON line (load_ms, tokens, seconds)
let arguments = CommandLine.arguments
guard arguments.count == 4, let iterations = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: tokenizers-bench <tokenizer.json> <texts.json> <iterations>\n".utf8))
    exit(2)
}
let clock = ContinuousClock()
var tokenizer: Tokenizer?
let load = try clock.measure { tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: arguments[1])) }
guard let texts = try JSONValue(parsing: [UInt8](Data(contentsOf: URL(fileURLWithPath: arguments[2])))).strings else {
    FileHandle.standardError.write(Data("tokenizers-bench: \(arguments[2]) must hold a JSON list of strings\n".utf8))
    exit(2)
}
var tokens = 0
for text in texts { _ = try tokenizer!.encode(text) }
let encode = try clock.measure {
    for _ in 0..<iterations {
        for text in texts { tokens += try tokenizer!.encode(text).ids.count }
    }
}
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
print(
    #"{"load_ms": \#(seconds(load) * 1000), "tokens": \#(tokens), "texts": \#(texts.count * iterations), "seconds": \#(seconds(encode))}"#)
