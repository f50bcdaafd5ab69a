import Foundation
import GRDB
import HubModel

/// The hub's persistent state in SQLite (WAL mode): users, servers, tokens, OAuth clients and codes.
///
/// All methods are safe to call concurrently; writes are serialized by GRDB.
public final class HubStore: Sendable {
    let database: DatabasePool

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        database = try DatabasePool(path: path, configuration: configuration)
        try Migrations.migrator().migrate(database)
    }

    /// Names of the migrations applied, oldest first.
    public func appliedMigrations() throws -> [String] {
        try database.read { db in try Migrations.migrator().appliedMigrations(db) }
    }

    // MARK: Users

    public func user(named name: String) async throws -> User? {
        try await database.read { db in try User.filter(Column("name") == name).fetchOne(db) }
    }

    public func allUsers() async throws -> [User] {
        try await database.read { db in try User.order(Column("id")).fetchAll(db) }
    }

    public func userCount() async throws -> Int {
        try await database.read { db in try User.fetchCount(db) }
    }

    /// Inserts a user; returns it with its id.
    public func insert(_ user: User) async throws -> User {
        try await database.write { db in
            var user = user
            try user.insert(db)
            return user
        }
    }

    /// Inserts users that do not exist yet; returns the ones created.
    public func insertMissing(_ users: [User]) async throws -> [User] {
        try await database.write { db in
            var created: [User] = []
            for var user in users where try User.filter(Column("name") == user.name).fetchCount(db) == 0 {
                try user.insert(db)
                created.append(user)
            }
            return created
        }
    }

    public func update(_ user: User) async throws {
        try await database.write { db in try user.update(db) }
    }

    /// Deletes a user with their servers and tokens.
    public func deleteUser(named name: String) async throws {
        _ = try await database.write { db in try User.filter(Column("name") == name).deleteAll(db) }
    }

    // MARK: Servers

    public func allServers() async throws -> [ServerRecord] {
        try await database.read { db in try ServerRecord.order(Column("id")).fetchAll(db) }
    }

    /// One user's server rows (by the `(userName, name)` index).
    public func servers(ofUser name: String) async throws -> [ServerRecord] {
        try await database.read { db in try ServerRecord.filter(Column("userName") == name).order(Column("id")).fetchAll(db) }
    }

    public func server(user: String, name: String) async throws -> ServerRecord? {
        try await database.read { db in
            try ServerRecord.filter(Column("userName") == user && Column("name") == name).fetchOne(db)
        }
    }

    /// Inserts or replaces the row for (user, name); returns it with its id.
    public func save(_ server: ServerRecord) async throws -> ServerRecord {
        try await database.write { db in
            var server = server
            if server.id == nil,
               let existing = try ServerRecord.filter(Column("userName") == server.userName && Column("name") == server.name)
                   .fetchOne(db) {
                server.id = existing.id
            }
            try server.save(db)
            return server
        }
    }

    public func deleteServer(user: String, name: String) async throws {
        _ = try await database.write { db in
            try ServerRecord.filter(Column("userName") == user && Column("name") == name).deleteAll(db)
        }
    }

    // MARK: Tokens

    /// Inserts a token record; returns it with its id.
    public func insert(_ token: TokenRecord) async throws -> TokenRecord {
        try await database.write { db in
            var token = token
            try token.insert(db)
            return token
        }
    }

    public func token(hash: String) async throws -> TokenRecord? {
        try await database.read { db in try TokenRecord.filter(Column("hash") == hash).fetchOne(db) }
    }

    public func token(id: Int64) async throws -> TokenRecord? {
        try await database.read { db in try TokenRecord.fetchOne(db, key: id) }
    }

    public func tokens(ofUser name: String) async throws -> [TokenRecord] {
        try await database.read { db in
            try TokenRecord.filter(Column("userName") == name).order(Column("id")).fetchAll(db)
        }
    }

    public func tokens(ofService name: String) async throws -> [TokenRecord] {
        try await database.read { db in
            try TokenRecord.filter(Column("serviceName") == name).order(Column("id")).fetchAll(db)
        }
    }

    public func deleteToken(id: Int64) async throws {
        _ = try await database.write { db in try TokenRecord.deleteOne(db, key: id) }
    }

    /// Deletes every token of a login session (hub logout).
    public func deleteTokens(sessionID: String) async throws {
        _ = try await database.write { db in try TokenRecord.filter(Column("sessionID") == sessionID).deleteAll(db) }
    }

    /// Deletes every token issued to an OAuth client.
    public func deleteTokens(oauthClientID: String) async throws {
        _ = try await database.write { db in
            try TokenRecord.filter(Column("oauthClientID") == oauthClientID).deleteAll(db)
        }
    }

    /// Deletes the tokens of a service that are not `keepHash` (the service's configured token changed).
    public func replaceServiceToken(service: String, with token: TokenRecord) async throws {
        try await database.write { db in
            try TokenRecord.filter(Column("serviceName") == service && Column("hash") != token.hash).deleteAll(db)
            if try TokenRecord.filter(Column("hash") == token.hash).fetchCount(db) == 0 {
                var token = token
                try token.insert(db)
            }
        }
    }

    /// Records use of a token.
    public func touchToken(id: Int64, at date: Date) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE api_tokens SET lastActivity = ? WHERE id = ?", arguments: [date, id])
        }
    }

    /// Removes expired tokens and codes.
    public func purgeExpired(now: Date = Date()) async throws {
        try await database.write { db in
            try TokenRecord.filter(Column("expiresAt") != nil && Column("expiresAt") <= now).deleteAll(db)
            try OAuthCode.filter(Column("expiresAt") <= now).deleteAll(db)
        }
    }

    // MARK: OAuth

    public func save(_ client: OAuthClient) async throws {
        try await database.write { db in try client.save(db) }
    }

    public func oauthClient(id: String) async throws -> OAuthClient? {
        try await database.read { db in try OAuthClient.fetchOne(db, key: id) }
    }

    /// Deletes a client with its codes and tokens.
    public func deleteOAuthClient(id: String) async throws {
        try await database.write { db in
            try TokenRecord.filter(Column("oauthClientID") == id).deleteAll(db)
            _ = try OAuthClient.deleteOne(db, key: id)
        }
    }

    /// Stores a code and drops the user's oldest pending codes beyond `limit` (a browser that keeps asking
    /// for codes it never redeems cannot grow the table).
    public func insert(_ code: OAuthCode, keepingAtMost limit: Int = .max) async throws {
        try await database.write { db in
            try code.insert(db)
            guard limit < .max else { return }
            try db.execute(sql: """
                DELETE FROM oauth_codes WHERE userName = ? AND hash NOT IN
                  (SELECT hash FROM oauth_codes WHERE userName = ? ORDER BY expiresAt DESC LIMIT ?)
                """, arguments: [code.userName, code.userName, limit])
        }
    }

    /// Pending authorization codes (all users).
    public func oauthCodeCount() async throws -> Int {
        try await database.read { db in try OAuthCode.fetchCount(db) }
    }

    /// Fetches and deletes a code in one transaction: a code can be redeemed once.
    public func redeemCode(hash: String) async throws -> OAuthCode? {
        try await database.write { db in
            guard let code = try OAuthCode.fetchOne(db, key: hash) else { return nil }
            try code.delete(db)
            return code
        }
    }
}
