extension ServerSettings {
    /// SEARCH chunks run at once: `searchWorkers`, or one per shard when it is 0,
    /// so searches never hold more of the machine than the shards themselves.
    public var searchWorkerCount: Int {
        searchWorkers == 0 ? runtime.shards : searchWorkers
    }
}
