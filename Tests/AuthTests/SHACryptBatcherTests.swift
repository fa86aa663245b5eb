import CSHACryptX8
import Testing
@testable import Auth

@Suite struct SHACryptBatcherTests {
    static let lanesAvailable = mailshard_shacrypt512_x8_available() != 0

    /// Jobs that differ in every way a lane can: password lengths across block
    /// and digest boundaries (a round of one lane may take two blocks while its
    /// neighbours take one), salts of 1 to 16 bytes, explicit rounds or not.
    static func jobs(count: Int, rounds: Int?) -> [(password: String, setting: String)] {
        let lengths = [8, 0, 1, 63, 64, 65, 120, 255, 17, 33]
        return (0..<count).map { index in
            let password = String((0..<lengths[index % lengths.count]).map { Character(UnicodeScalar(UInt8(33 + ($0 * 11 + index) % 94))) })
            let salt = String("abcdefghijklmnopqrstuvwxyz./0123".dropFirst(index % 10).prefix(1 + index * 3 % 16))
            let setting = rounds.map { "$6$rounds=\($0)$\(salt)" } ?? "$6$\(salt)"
            return (password, setting)
        }
    }

    @Test(.enabled(if: lanesAvailable), arguments: [1, 2, 5, 8])
    func lanesGiveLibxcryptsStrings(count: Int) throws {
        let jobs = Self.jobs(count: count, rounds: count == 8 ? nil : 1000 + count)
        let inputs = try jobs.map { job in
            (password: try #require(SHACrypt.acceptedBytes(job.password)), setting: try #require(SHACrypt.parse(job.setting)))
        }
        let results = SHACryptBatcher.computeInLanes(inputs)
        for (job, result) in zip(jobs, results) {
            #expect(result == PasswordHasher.libxcrypt(job.password, setting: job.setting))
        }
    }

    @Test func concurrentVerificationsAllGetTheirOwnAnswer() async throws {
        // Two round counts, so batches are formed per count; right and wrong passwords.
        let jobs = Self.jobs(count: 12, rounds: 1000) + Self.jobs(count: 12, rounds: 1100)
        let stored = try jobs.map { job in
            StoredPassword(scheme: .sha512Crypt, hash: try #require(PasswordHasher.libxcrypt(job.password, setting: job.setting)))
        }
        let answers = await withTaskGroup(of: (Int, Bool, Bool).self) { group in
            for (index, job) in jobs.enumerated() {
                group.addTask {
                    let right = await PasswordHasher.verifyBatched(job.password, against: stored[index])
                    let wrong = await PasswordHasher.verifyBatched(job.password + "x", against: stored[index])
                    return (index, right, wrong)
                }
            }
            var answers: [Int: (Bool, Bool)] = [:]
            for await (index, right, wrong) in group { answers[index] = (right, wrong) }
            return answers
        }
        #expect(answers.count == jobs.count)
        for (index, answer) in answers {
            #expect(answer.0, "job \(index): the right password")
            #expect(!answer.1, "job \(index): a wrong password")
        }
    }

    /// A batcher that forms batches from any two waiting jobs (one runner, so they
    /// queue up), and one that never uses the lanes (a CPU without AVX-512).
    @Test(arguments: [(lanesAvailable, 2, 1), (false, 4, 2)])
    func batchersGiveLibxcryptsStrings(usesLanes: Bool, minimumBatch: Int, runners: Int) async throws {
        let batcher = SHACryptBatcher(usesLanes: usesLanes, minimumBatch: minimumBatch, maximumRunners: runners)
        let jobs = Self.jobs(count: 10, rounds: 1000) + Self.jobs(count: 3, rounds: 1001)
        let inputs = try jobs.map { job in
            (password: try #require(SHACrypt.acceptedBytes(job.password)), setting: try #require(SHACrypt.parse(job.setting)))
        }
        let results = await withTaskGroup(of: (Int, String).self) { group in
            for (index, input) in inputs.enumerated() {
                group.addTask { (index, await batcher.crypt(password: input.password, setting: input.setting)) }
            }
            var results: [Int: String] = [:]
            for await (index, result) in group { results[index] = result }
            return results
        }
        for (index, job) in jobs.enumerated() {
            #expect(results[index] == PasswordHasher.libxcrypt(job.password, setting: job.setting))
        }
    }

    @Test func otherSchemesStillVerify() async throws {
        for hash in PasswordHasherTests.knownHashes {
            let stored = try #require(StoredPassword(field: hash.field))
            #expect(await PasswordHasher.verifyBatched("secret", against: stored))
            #expect(await !PasswordHasher.verifyBatched("Secret", against: stored))
        }
    }
}
