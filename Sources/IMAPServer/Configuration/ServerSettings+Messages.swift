extension ServerSettings {
    /// The largest message APPEND accepts (RFC 7889 APPENDLIMIT): the framer's
    /// literal ceiling, so the advertised limit and the enforced one are the same.
    var appendLimit: Int { framingLimits.maximumLiteralSize }
}
