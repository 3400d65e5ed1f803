import StampedeJSON

/// The subset of JSON Schema 2020-12 that schemas/report.schema.json uses
/// (type, const, enum, required, properties, additionalProperties, items,
/// minimum, maximum, local $ref), enough to keep the schema and the writer honest.
struct MiniSchemaValidator {
    let root: JSONValue

    func validate(_ value: JSONValue) -> [String] {
        var errors: [String] = []
        check(value, against: root, at: "$", errors: &errors)
        return errors
    }

    private func resolve(_ schema: JSONValue) -> JSONValue {
        guard let ref = schema["$ref"]?.stringValue, ref.hasPrefix("#/") else { return schema }
        var node = root
        for part in ref.dropFirst(2).split(separator: "/") { node = node[String(part)] ?? .null }
        return resolve(node)
    }

    private func check(_ value: JSONValue, against rawSchema: JSONValue, at path: String, errors: inout [String]) {
        let schema = resolve(rawSchema)
        guard case .object = schema else { return }
        if let type = schema["type"]?.stringValue, !matches(value, type: type) {
            errors.append("\(path): expected \(type), got \(value)")
            return
        }
        if let c = schema["const"], c != value { errors.append("\(path): expected const \(c)") }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) { errors.append("\(path): \(value) not in enum") }
        if let min = schema["minimum"]?.doubleValue, let v = value.doubleValue, v < min { errors.append("\(path): \(v) < \(min)") }
        if let max = schema["maximum"]?.doubleValue, let v = value.doubleValue, v > max { errors.append("\(path): \(v) > \(max)") }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (i, item) in items.enumerated() { check(item, against: itemSchema, at: "\(path)[\(i)]", errors: &errors) }
        }
        guard case .object(let object) = value else { return }
        for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[key] == nil {
            errors.append("\(path): missing required \(key)")
        }
        let properties = schema["properties"]?.objectValue
        for (key, child) in object.entries {
            if let p = properties?[key] {
                check(child, against: p, at: "\(path).\(key)", errors: &errors)
            } else if let extra = schema["additionalProperties"] {
                if extra == .bool(false) {
                    errors.append("\(path): unexpected property \(key)")
                } else {
                    check(child, against: extra, at: "\(path).\(key)", errors: &errors)
                }
            }
        }
    }

    private func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): return true
        case ("integer", .int): return true
        case ("integer", .double(let d)): return d.rounded() == d
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }
}
