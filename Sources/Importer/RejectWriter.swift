import Foundation
import Geo

/// Writes rejected features as GeoJSON text lines (one Feature per line),
/// each with foreign members `reject_reason`, `source_index` and, when the
/// feature could not be parsed as GeoJSON, `source_text`. The file is
/// created on the first reject only.
final class RejectWriter {
    let path: String
    var handle: FileHandle?
    var buffer = ""

    init(path: String) {
        self.path = path
        // A stale file from an earlier run would mislead: start afresh.
        try? FileManager.default.removeItem(atPath: path)
    }

    func write(index: Int, file: String, reason: String, feature: Feature?, rawText: String?) throws(ImportError) {
        var line = "{\"type\":\"Feature\",\"reject_reason\":"
        JSONWriter.writeString(reason, to: &line)
        line += ",\"source_index\":\(index),\"source_file\":"
        JSONWriter.writeString(file, to: &line)
        if let feature {
            line += ",\"properties\":"
            JSONWriter.write(.object(feature.properties), to: &line)
            line += ",\"geometry\":"
            if let g = feature.geometry { GeoJSON.write(g, to: &line, precision: 9) } else { line += "null" }
        } else {
            line += ",\"properties\":null,\"geometry\":null"
        }
        if feature == nil || !(rawText?.hasPrefix("{") ?? true), let rawText {
            line += ",\"source_text\":"
            JSONWriter.writeString(rawText, to: &line)
        }
        line += "}\n"
        buffer += line
        if buffer.utf8.count > 1 << 16 { try flush() }
    }

    func flush() throws(ImportError) {
        guard !buffer.isEmpty else { return }
        if handle == nil {
            guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
                throw ImportError(.io, "cannot create the reject file", file: path)
            }
            handle = h
        }
        do { try handle?.write(contentsOf: Data(buffer.utf8)) } catch { throw ImportError(.io, "cannot write the reject file: \(error)", file: path) }
        buffer = ""
    }

    func close() throws(ImportError) {
        try flush()
        try? handle?.close()
        handle = nil
    }
}
