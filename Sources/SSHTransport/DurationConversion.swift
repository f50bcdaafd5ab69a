extension Duration {
    /// Whole milliseconds, rounded up and clamped to `Int32` (what libssh's poll timeouts take).
    var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        if seconds >= Int64(Int32.max / 1000) { return Int32.max }
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }
}

extension ContinuousClock.Instant {
    /// The time left until this instant; zero once it has passed.
    var remaining: Duration {
        let left = self - ContinuousClock.now
        return left > .zero ? left : .zero
    }
}
