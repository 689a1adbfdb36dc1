import Geo
import GeometryOps

extension CRS {
    /// Parses `--srs` (or a manifest's `srs`) and checks it with PROJ now, so a wrong
    /// value fails before any file is read. Throws `.crs` naming the argument.
    public static func importOption(_ argument: String) throws(ImportError) -> CRS {
        let crs = CRS(definition: argument)
        do { _ = try CRSTransform(crs) } catch { throw ImportError(.crs, "--srs \(argument): \(error.message)") }
        return crs
    }

    /// The CRS a file declares (a .prj, a GeoJSON `crs` member). One PROJ cannot read is a
    /// fault of the whole file: the import aborts rather than guess WGS84.
    static func declared(_ definition: String, by what: String, file: String) throws(ImportError) -> CRS {
        let crs = CRS(definition: definition)
        do { _ = try CRSTransform(crs) } catch {
            throw ImportError(.crs, "\(what) is not a CRS PROJ understands: \(error.message)", file: file)
        }
        return crs
    }
}
