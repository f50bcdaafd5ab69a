import Foundation
import HubModel
import HubSpawner

/// The spawn form's template values: both tabs filled from one `SpawnFormInput`, errors next to
/// their fields on the tab that was submitted, the partitions' limits and the availability table.
struct SpawnFormView {
    let form: SpawnForm
    let input: SpawnFormInput
    /// Option name → message, shown next to the field on `input.tab`.
    var errors: [String: String] = [:]
    /// A message for the whole form (not about one field).
    var generalError: String?
    /// A note above the form (e.g. a URL from another site must be confirmed).
    var notice: String?

    /// The values for `spawn.mustache`.
    func values(action: String, displayName: String) -> [String: Any] {
        let simplePartitions = form.partitions.filter(\.simple)
        let tab = simplePartitions.isEmpty ? .advanced : input.tab
        var values: [String: Any] = [
            "action": action, "display_name": displayName,
            "has_simple": !simplePartitions.isEmpty,
            "simple_checked": tab == .simple, "advanced_checked": tab == .advanced,
            "simple": simpleTab(simplePartitions, errors: tab == .simple ? errors : [:]),
            "advanced": advancedTab(errors: tab == .advanced ? errors : [:]),
            "partitions": form.partitions.map(Self.limits),
            "show_environments": !form.environments.isEmpty,
        ]
        if let generalError { values["general_error"] = generalError }
        if let notice { values["notice"] = notice }
        if let availability = form.availability {
            values["availability"] = availability.map { row -> [String: Any] in
                ["partition": row.partition, "state": row.state, "up": row.state == "up",
                 "idle_nodes": row.idleNodes, "total_nodes": row.totalNodes,
                 "idle_cpus": row.idleCPUs, "total_cpus": row.totalCPUs]
            }
        } else {
            values["availability_unknown"] = true
        }
        return values
    }

    private func value(_ field: String) -> String { input.values[field] ?? "" }

    private func simpleTab(_ partitions: [SpawnForm.Partition], errors: [String: String]) -> [String: Any] {
        let chosen = partitions.first { $0.name == value("partition") } ?? partitions.first
        let maxCPUs = partitions.map(\.maxCPUs).max() ?? 1
        let maxGPUs = partitions.map(\.maxGPUs).max() ?? 0
        let maxHours = max(1, min(SpawnFormInput.hourChoices.upperBound, (partitions.map(\.maxRuntime).max() ?? 3600) / 3600))
        var cpus = value("cpus")
        if let chosen, cpus == String(chosen.maxCPUs), !SpawnFormInput.cpuChoices.map(String.init).contains(cpus) { cpus = "max" }
        if cpus.isEmpty { cpus = "1" }
        var hours = "1"
        if let seconds = try? SlurmQuantities.seconds(runtime: value("runtime")), seconds % 3600 == 0 {
            hours = String(seconds / 3600)
        }
        let cpuChoices = SpawnFormInput.cpuChoices.filter { $0 <= maxCPUs }.map(String.init) + ["max"]
        return [
            "partitions": partitions.map { partition -> [String: Any] in
                ["name": partition.name, "label": Self.label(partition), "selected": partition.name == chosen?.name,
                 "max_hours": max(1, min(SpawnFormInput.hourChoices.upperBound, partition.maxRuntime / 3600)),
                 "max_cpus": partition.maxCPUs]
            },
            "cpus": cpuChoices.map { choice -> [String: Any] in
                ["value": choice, "label": choice == "max" ? "max" : choice, "checked": choice == cpus]
            },
            "show_gpus": maxGPUs > 0,
            "gpus": (0...maxGPUs).map { ["value": String($0), "selected": String($0) == (value("gpus").isEmpty ? "0" : value("gpus"))] },
            "hours": (1...maxHours).map { ["value": String($0), "label": $0 == 1 ? "1 hour" : "\($0) hours", "selected": String($0) == hours] },
            "environments": environments(),
            "errors": errors,
        ]
    }

    private func advancedTab(errors: [String: String]) -> [String: Any] {
        let chosen = form.partitions.first { $0.name == value("partition") } ?? form.partitions.first
        var fields: [String: String] = [:]
        for field in ["cpus", "memory", "gpus", "runtime", "reservation", "account", "qos", "default_url"] {
            fields[field] = value(field)
        }
        return [
            "partitions": form.partitions.map { partition -> [String: Any] in
                ["name": partition.name, "label": Self.label(partition), "selected": partition.name == chosen?.name]
            },
            "values": fields,
            "max_cpus": form.partitions.map(\.maxCPUs).max() ?? 1,
            "max_gpus": form.partitions.map(\.maxGPUs).max() ?? 0,
            "accounting": form.allowAccountingOptions,
            "environments": environments(),
            "errors": errors,
        ]
    }

    private func environments() -> [[String: Any]] {
        let chosen = form.environments.first { $0.id == value("environment") } ?? form.environments.first
        return form.environments.map { environment in
            ["id": environment.id, "selected": environment.id == chosen?.id,
             "label": environment.description.isEmpty ? environment.id : "\(environment.id) — \(environment.description)"]
        }
    }

    /// `debug — up to 8 CPUs, 4G, 12:00:00`.
    static func label(_ partition: SpawnForm.Partition) -> String {
        var limits = ["up to \(partition.maxCPUs) CPU\(partition.maxCPUs == 1 ? "" : "s")", memory(partition.maxMemoryMiB)]
        if partition.maxGPUs > 0 { limits.append("\(partition.maxGPUs) GPU\(partition.maxGPUs == 1 ? "" : "s")") }
        limits.append(SlurmQuantities.runtime(seconds: partition.maxRuntime))
        return "\(partition.name) — " + limits.joined(separator: ", ")
    }

    static func limits(_ partition: SpawnForm.Partition) -> [String: Any] {
        ["name": partition.name, "description": partition.description, "simple": partition.simple,
         "max_cpus": partition.maxCPUs, "max_memory": memory(partition.maxMemoryMiB), "max_gpus": partition.maxGPUs,
         "max_runtime": SlurmQuantities.runtime(seconds: partition.maxRuntime)]
    }

    /// MiB as `4G` or `1536M`.
    static func memory(_ mib: Int) -> String { mib % 1024 == 0 ? "\(mib / 1024)G" : "\(mib)M" }
}
