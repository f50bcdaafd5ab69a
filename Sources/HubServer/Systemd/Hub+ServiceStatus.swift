import HubModel

/// How many servers are in which state, for the service manager's status line.
struct ServerCounts: Sendable, Equatable {
    var running = 0
    var spawning = 0
    var stopping = 0

    /// `STATUS=` text: `3 servers running, 1 spawning` (stopping servers only when there are any).
    var statusLine: String {
        var line = "\(running) server\(running == 1 ? "" : "s") running, \(spawning) spawning"
        if stopping > 0 { line += ", \(stopping) stopping" }
        return line
    }
}

extension Hub {
    /// Servers by state right now (every user, default and named servers).
    func serverCounts() -> ServerCounts {
        var counts = ServerCounts()
        for entry in entries.values {
            switch entry.lifecycle {
            case .running: counts.running += 1
            case .spawning: counts.spawning += 1
            case .stopping: counts.stopping += 1
            case .stopped, .checking, .failed: break
            }
        }
        return counts
    }
}
