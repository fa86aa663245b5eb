#if canImport(Glibc)
import Glibc
#endif
import CSHACryptX8
import Synchronization

/// Runs concurrent `$6$` computations eight at a time in the lanes of AVX-512
/// registers (`CSHACryptX8`): a batch of eight costs about what three cost one by
/// one on the scalar path, so under a burst of logins each password check takes
/// about a third of the CPU time it otherwise would. Hashing is unchanged:
/// every computation is the full SHA-crypt of its own setting (same strings as
/// libxcrypt); only independent computations share the vector instructions.
///
/// Callers wait (suspended, not blocking a thread); at most one runner per CPU
/// takes waiting work: a batch when enough jobs of one round count wait, else the
/// oldest job alone on the scalar path, since a batch costs as much as eight lanes
/// however many are filled.
final class SHACryptBatcher: Sendable {
    static let shared = SHACryptBatcher()

    /// Lanes in a batch.
    static let lanes = 8

    private struct Job {
        var password: [UInt8]
        var setting: SHACrypt.Setting
        var continuation: CheckedContinuation<String, Never>
    }

    private struct State {
        var waiting: [Job] = []
        var runners = 0
    }

    private let state = Mutex(State())
    /// Whether batches run on the vector lanes at all (the CPU has AVX-512).
    let usesLanes: Bool
    /// Fewer jobs than this run one by one on the scalar path.
    let minimumBatch: Int
    private let maximumRunners: Int

    init(
        usesLanes: Bool = mailshard_shacrypt512_x8_available() != 0, minimumBatch: Int = 4,
        maximumRunners: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    ) {
        self.usesLanes = usesLanes
        self.minimumBatch = max(1, minimumBatch)
        self.maximumRunners = max(1, maximumRunners)
    }

    /// The crypt(3) string of `password` (bytes SHACrypt accepts) under a `$6$`
    /// setting; runs off the caller's thread.
    func crypt(password: [UInt8], setting: SHACrypt.Setting) async -> String {
        precondition(setting.variant == .sha512 && password.count <= SHACrypt.maximumPasswordBytes)
        return await withCheckedContinuation { continuation in
            let startsRunner = state.withLock { state -> Bool in
                state.waiting.append(Job(password: password, setting: setting, continuation: continuation))
                guard state.runners < maximumRunners else { return false }
                state.runners += 1
                return true
            }
            if startsRunner {
                Task.detached { await self.runUntilIdle() }
            }
        }
    }

    /// Takes waiting work until there is none, yielding the thread between
    /// batches so that other tasks of the global pool (group commits among them)
    /// still run during a storm of logins.
    private func runUntilIdle() async {
        while let batch = nextBatch() {
            let results = batch.count == 1
                ? [scalar(batch[0])] : Self.computeInLanes(batch.map { ($0.password, $0.setting) })
            for (job, result) in zip(batch, results) {
                job.continuation.resume(returning: result)
            }
            await Task.yield()
        }
    }

    /// The oldest job and, when lanes pay off, up to seven more of its round count.
    private func nextBatch() -> [Job]? {
        state.withLock { state -> [Job]? in
            guard let first = state.waiting.first else {
                state.runners -= 1
                return nil
            }
            let rounds = first.setting.rounds
            let matching = state.waiting.indices.filter { state.waiting[$0].setting.rounds == rounds }.prefix(Self.lanes)
            guard usesLanes, matching.count >= minimumBatch else {
                state.waiting.removeFirst()
                return [first]
            }
            let batch = matching.map { state.waiting[$0] }
            for index in matching.reversed() {
                state.waiting.remove(at: index)
            }
            return batch
        }
    }

    private func scalar(_ job: Job) -> String {
        job.password.withUnsafeBytes { SHACrypt.crypt(password: $0, setting: job.setting) }
    }

    /// One batch through the vector lanes (needs `usesLanes`; 1...8 jobs of one
    /// round count): each lane prepared (A, P, S) on the scalar path, the rounds
    /// together, each digest encoded.
    static func computeInLanes(_ batch: [(password: [UInt8], setting: SHACrypt.Setting)]) -> [String] {
        precondition((1...lanes).contains(batch.count) && batch.allSatisfy { $0.setting.rounds == batch[0].setting.rounds })
        var lanes = [mailshard_shacrypt512_lane](repeating: mailshard_shacrypt512_lane(), count: batch.count)
        defer { lanes.withUnsafeMutableBytes { SHACrypt.wipe($0) } }
        for (index, job) in batch.enumerated() {
            job.password.withUnsafeBytes { password in
                job.setting.salt.withUnsafeBytes { salt in
                    withUnsafeMutablePointer(to: &lanes[index]) { lane in
                        SHACryptComputation<SHA512Function>.prepare(
                            password: password, salt: salt,
                            a: UnsafeMutableRawPointer(lane) + MemoryLayout<mailshard_shacrypt512_lane>.offset(of: \.digest)!,
                            p: UnsafeMutableRawPointer(lane) + MemoryLayout<mailshard_shacrypt512_lane>.offset(of: \.p_bytes)!,
                            s: UnsafeMutableRawPointer(lane) + MemoryLayout<mailshard_shacrypt512_lane>.offset(of: \.s_bytes)!)
                        lane.pointee.p_length = UInt16(password.count)
                        lane.pointee.s_length = UInt8(salt.count)
                    }
                }
            }
        }
        lanes.withUnsafeMutableBufferPointer { buffer in
            mailshard_shacrypt512_x8_rounds(buffer.baseAddress, Int32(buffer.count), UInt32(batch[0].setting.rounds))
        }
        return batch.indices.map { index in
            var digest = withUnsafeBytes(of: lanes[index].digest) { Array($0) }
            defer { digest.withUnsafeMutableBytes { SHACrypt.wipe($0) } }
            return SHACrypt.encode(setting: batch[index].setting, digest: digest[...])
        }
    }
}
