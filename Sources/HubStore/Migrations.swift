import GRDB

/// Versioned schema migrations. Never edit a shipped migration: add a new one.
enum Migrations {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "users") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("name", .text).notNull().unique()
                table.column("admin", .boolean).notNull().defaults(to: false)
                table.column("created", .datetime).notNull()
                table.column("lastActivity", .datetime)
                table.column("cookieID", .text).notNull()
                table.column("lastUserOptions", .text).notNull().defaults(to: "{}")
            }
            try db.create(table: "api_tokens") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("hash", .text).notNull().unique()
                table.column("userName", .text).references("users", column: "name", onDelete: .cascade, onUpdate: .cascade)
                table.column("serviceName", .text)
                table.column("scopes", .text).notNull()
                table.column("sessionID", .text).indexed()
                table.column("oauthClientID", .text).indexed()
                table.column("note", .text).notNull().defaults(to: "")
                table.column("created", .datetime).notNull()
                table.column("expiresAt", .datetime)
                table.column("lastActivity", .datetime)
            }
            try db.create(table: "servers") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("userName", .text).notNull()
                    .references("users", column: "name", onDelete: .cascade, onUpdate: .cascade)
                table.column("name", .text).notNull()
                table.column("url", .text)
                table.column("started", .datetime)
                table.column("lastActivity", .datetime)
                table.column("userOptions", .text).notNull()
                table.column("state", .text).notNull()
                table.column("tokenID", .integer)
                table.uniqueKey(["userName", "name"])
            }
            try db.create(table: "oauth_clients") { table in
                table.primaryKey("id", .text)
                table.column("secretHash", .text).notNull()
                table.column("redirectURI", .text).notNull()
                table.column("description", .text).notNull()
                table.column("allowedScopes", .text).notNull()
            }
            try db.create(table: "oauth_codes") { table in
                table.primaryKey("hash", .text)
                table.column("clientID", .text).notNull()
                    .references("oauth_clients", column: "id", onDelete: .cascade)
                table.column("userName", .text).notNull()
                    .references("users", column: "name", onDelete: .cascade, onUpdate: .cascade)
                table.column("sessionID", .text).notNull()
                table.column("redirectURI", .text).notNull()
                table.column("scopes", .text).notNull()
                table.column("expiresAt", .datetime).notNull()
                table.column("codeChallenge", .text)
                table.column("codeChallengeMethod", .text)
            }
        }
        // Upstream OAuth/OIDC tokens of a user (auth state), sealed with AES-GCM by the hub; never plain text.
        migrator.registerMigration("v2-auth-state") { db in
            try db.create(table: "auth_states") { table in
                table.primaryKey("userName", .text)
                    .references("users", column: "name", onDelete: .cascade, onUpdate: .cascade)
                table.column("sealed", .blob).notNull()
                table.column("updated", .datetime).notNull()
            }
        }
        // Pending authorization codes are capped per user and purged by expiry: both by index.
        migrator.registerMigration("v3-code-and-token-expiry-indexes") { db in
            try db.create(index: "oauth_codes_by_user", on: "oauth_codes", columns: ["userName", "expiresAt"])
            try db.create(index: "oauth_codes_by_expiry", on: "oauth_codes", columns: ["expiresAt"])
            try db.create(index: "api_tokens_by_expiry", on: "api_tokens", columns: ["expiresAt"])
        }
        return migrator
    }
}
