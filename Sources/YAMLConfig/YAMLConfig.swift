import Geo
import Yams

/// Which keys a configuration file may hold, so unknown ones are reported
/// with their path instead of being silently ignored (as Martin does). Built
/// from each section's `CodingKeys`, so the decoder and the check never drift.
public indirect enum KeySchema: Sendable {
    /// A value of any shape; nothing below it is checked.
    case value
    /// A mapping whose keys are data (e.g. event type → handler type).
    case anyKeys
    /// A mapping with these keys.
    case mapping([String: KeySchema])
    /// A mapping of names (layer names) to mappings of one schema.
    case mapOf(KeySchema)

    /// A mapping of leaf values, one per coding key.
    public static func leaves<K: CodingKey & CaseIterable>(_ keys: K.Type) -> KeySchema {
        .mapping(Dictionary(uniqueKeysWithValues: K.allCases.map { ($0.stringValue, KeySchema.value) }))
    }
}

/// A configuration file that could not be read: the message names the key path.
public struct YAMLConfigError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Reads YAML configuration into `Decodable` structs with Yams' `YAMLDecoder`.
public enum YAMLConfig {
    /// The decoded file and the paths of keys the schema does not know
    /// (`limits.colour`, `layers.bikes.colour`), sorted. An empty document
    /// decodes as an empty mapping. Throws with the offending key's path.
    public static func decode<T: Decodable>(_ type: T.Type, from yaml: String, schema: KeySchema) throws(YAMLConfigError) -> (T, unknownKeys: [String]) {
        let node: Node?
        do { node = try Yams.compose(yaml: yaml) } catch { throw YAMLConfigError(message: "not valid YAML: \(error)") }
        let root = node ?? Node.mapping(Node.Mapping([]))
        guard case .mapping = root else { throw YAMLConfigError(message: "the top level must be a mapping of keys to values") }
        let value: T
        do { value = try YAMLDecoder().decode(T.self, from: root) } catch let e as DecodingError {
            throw YAMLConfigError(message: describe(e))
        } catch {
            throw YAMLConfigError(message: "\(error)")
        }
        var unknown: [String] = []
        collectUnknown(root, schema, [], into: &unknown)
        return (value, unknown.sorted())
    }

    static func collectUnknown(_ node: Node, _ schema: KeySchema, _ path: [String], into out: inout [String]) {
        guard case .mapping(let m) = node else { return }
        for (k, v) in m {
            let key = k.string ?? "\(k)"
            switch schema {
            case .value, .anyKeys: return
            case .mapping(let known):
                if let s = known[key] { collectUnknown(v, s, path + [key], into: &out) } else { out.append((path + [InputText.escaped(key)]).joined(separator: ".")) }
            case .mapOf(let s): collectUnknown(v, s, path + [InputText.escaped(key)], into: &out)
            }
        }
    }

    /// "limits.max_k must be a whole number" rather than Swift's debug text.
    static func describe(_ e: DecodingError) -> String {
        func path(_ c: [any CodingKey]) -> String {
            c.map { $0.intValue.map { "[\($0)]" } ?? InputText.escaped($0.stringValue) }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch e {
        case .typeMismatch(let type, let c):
            let want = switch type {
            case is Int.Type: "a whole number"
            case is Double.Type: "a number"
            case is String.Type: "a string"
            case is Bool.Type: "true or false"
            default: String(describing: type).hasPrefix("Array") ? "a list" : "a mapping"
            }
            return c.codingPath.isEmpty ? "the top level must be a mapping of keys to values" : "\(path(c.codingPath)) must be \(want)"
        case .valueNotFound(_, let c): return "\(path(c.codingPath)) has no value"
        case .keyNotFound(let k, let c): return "\(path(c.codingPath + [k])) is required"
        case .dataCorrupted(let c): return "\(path(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "\(e)"
        }
    }
}
