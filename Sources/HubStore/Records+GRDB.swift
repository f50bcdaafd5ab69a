import GRDB
import HubModel

// Database conformances of the model's records. Column names are the property names.

extension User: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "users"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension ServerRecord: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "servers"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension TokenRecord: FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "api_tokens"
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension OAuthClient: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "oauth_clients"
}

extension OAuthCode: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "oauth_codes"
}

/// Free-form JSON columns (user options, spawner state) are stored as JSON text.
extension JSONValue: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { jsonString().databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> JSONValue? {
        guard let text = String.fromDatabaseValue(dbValue) else { return nil }
        return JSONValue.parse(text)
    }
}
