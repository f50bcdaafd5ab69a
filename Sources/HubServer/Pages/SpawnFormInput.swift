import Foundation
import HubModel
import HubSpawner

/// What the user asked for on the spawn form (or in the URL), before the spawner validates it:
/// values by option name, and which tab they came from.
struct SpawnFormInput: Sendable, Equatable {
    enum Tab: String, Sendable { case simple, advanced }

    /// The options the form has a field for, in page order.
    static let fields = ["partition", "cpus", "memory", "gpus", "runtime", "environment",
                         "reservation", "account", "qos", "default_url"]
    /// Other spellings the REST API and URLs accept (MOSS/batchspawner names).
    static let aliases = ["nprocs": "cpus", "mem": "memory", "ngpus": "gpus", "environment_id": "environment"]
    /// Form fields that are not options.
    static let controlFields: Set<String> = ["_xsrf", "form", "server_name"]
    /// The simple tab's CPU buttons (besides `max`).
    static let cpuChoices = [1, 2, 4]
    /// The simple tab's runtimes, in hours.
    static let hourChoices = 1...12

    var tab: Tab
    /// Option name (canonical) → value as entered; the simple tab's `cpus` may be `max`, its `runtime` whole hours.
    var values: [String: String]

    init(tab: Tab, values: [String: String]) {
        self.tab = tab
        self.values = values
    }

    /// A posted form; nil when the post did not come from the spawn form (no `form` field).
    init?(posted form: [String: String]) {
        guard let tab = form["form"].flatMap(Tab.init(rawValue:)) else { return nil }
        self.init(tab: tab, values: Self.canonical(form.filter { !Self.controlFields.contains($0.key) }))
    }

    /// Option values from a URL's query (`/hub/spawn?partition=…&nprocs=…&runtime=…`).
    init(query: [String: String]) {
        self.init(tab: .advanced, values: Self.canonical(query))
    }

    /// The last options a user started with, as form values (the form shows the last choice).
    init(remembered options: JSONValue, form: SpawnForm) {
        var values: [String: String] = [:]
        for (key, value) in options.objectValue ?? [:] {
            switch value {
            case .string(let text): values[key] = text
            case .number: values[key] = value.intValue.map(String.init) ?? "\(value)"
            default: continue
            }
        }
        self.init(tab: .advanced, values: Self.canonical(values))
        tab = fitsSimpleTab(form) ? .simple : .advanced
    }

    static func canonical(_ raw: [String: String]) -> [String: String] {
        var values: [String: String] = [:]
        for (key, value) in raw where aliases[key] != nil && raw[aliases[key] ?? ""] == nil {
            values[aliases[key] ?? key] = value
        }
        for (key, value) in raw where aliases[key] == nil { values[key] = value }
        return values
    }

    /// The partition the values name, or the form's default.
    func partition(in form: SpawnForm?) -> SpawnForm.Partition? {
        let name = values["partition"].flatMap { $0.isEmpty ? nil : $0 }
        return form?.partitions.first { $0.name == (name ?? form?.partitions.first?.name) }
    }

    /// Whether the simple tab can show these values unchanged.
    func fitsSimpleTab(_ form: SpawnForm) -> Bool {
        guard let partition = partition(in: form), partition.simple else { return false }
        let advancedOnly = ["memory", "reservation", "account", "qos", "default_url"]
        if advancedOnly.contains(where: { !(values[$0] ?? "").isEmpty }) { return false }
        if let cpus = values["cpus"], !cpus.isEmpty, cpus != "max",
           !(Self.cpuChoices.map(String.init) + [String(partition.maxCPUs)]).contains(cpus) {
            return false
        }
        if let runtime = values["runtime"], !runtime.isEmpty {
            guard let seconds = try? SlurmQuantities.seconds(runtime: runtime), seconds % 3600 == 0,
                  Self.hourChoices.contains(seconds / 3600) else { return false }
        }
        return Set(values.keys).isSubset(of: Self.fields)
    }

    /// The first field holding a line break or another control character (checked before anything else).
    var controlCharacterField: String? {
        values.keys.sorted().first { values[$0]?.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } ?? false }) ?? false }
    }

    /// The options to validate and start with: non-empty values, the simple tab's `max` CPUs resolved
    /// against the chosen partition.
    func options(for form: SpawnForm?) -> JSONValue {
        var options: [String: JSONValue] = [:]
        for (key, value) in values {
            let text = value.trimmingCharacters(in: .spaceAndTab)
            guard !text.isEmpty else { continue }
            options[key] = .string(text)
        }
        if values["cpus"] == "max", let partition = partition(in: form) {
            options["cpus"] = .string(String(partition.maxCPUs))
        }
        return .object(options)
    }
}
