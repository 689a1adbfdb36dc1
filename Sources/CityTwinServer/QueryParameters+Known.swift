import Hummingbird

extension QueryParameters {
    /// Refuses parameters a route does not know (a misspelt filter must not
    /// silently widen a list): 400 naming the first unknown one.
    func onlyKnown(_ known: Set<String>) throws {
        for (key, _) in params where !known.contains(String(key)) {
            throw Problem.badParameter(String(key.prefix(40)), "is not a parameter of this route (known: \(known.sorted().joined(separator: ", ")))")
        }
    }
}
