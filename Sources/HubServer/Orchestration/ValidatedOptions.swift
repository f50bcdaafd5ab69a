import HubModel
import HubSpawner

/// User options the spawner has accepted. Making one is the validation, so the spawn path checks
/// options once (when the request arrives) and carries the result on, instead of re-checking them.
struct ValidatedOptions: Sendable, Equatable {
    let value: JSONValue

    /// Asks `spawner` to check `options`; a refusal names the field when it is about one.
    init(_ options: JSONValue, checkedBy spawner: any Spawner) throws {
        do {
            try spawner.validateOptions(options)
        } catch let error as SpawnError {
            throw HubError.invalidOption(field: error.field, reason: error.reason, message: error.message)
        } catch {
            throw HubError.invalidOption(field: nil, reason: nil, message: "\(error)")
        }
        value = options
    }
}
