/// A streaming base64 decoder (RFC 2045 §6.8) for BINARY[] and SEARCH.
///
/// Feed the encoded bytes in chunks of any size with `decode(_:into:)`, then call
/// `finish(into:)`. Bytes outside the base64 alphabet (line breaks, white space,
/// garbage) are skipped as RFC 2045 asks; decoding stops at the first "=" pad.
/// A final incomplete quantum of 2 or 3 characters still yields its whole bytes.
public struct Base64Decoder: Sendable {
    private var accumulator: UInt32 = 0
    private var pending = 0
    private var finished = false

    public init() {}

    /// Decodes `input`, appending the bytes to `output`.
    public mutating func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        guard !finished else { return }
        output.reserveCapacity(output.count + input.count / 4 * 3 + 3)
        var accumulator = self.accumulator
        var pending = self.pending
        for byte in input {
            let value = Self.table[Int(byte)]
            if value < 64 {
                accumulator = accumulator << 6 | UInt32(value)
                pending += 1
                if pending == 4 {
                    output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                    output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                    output.append(UInt8(truncatingIfNeeded: accumulator))
                    accumulator = 0
                    pending = 0
                }
            } else if value == Self.pad {
                self.accumulator = accumulator
                self.pending = pending
                flush(into: &output)
                finished = true
                return
            }
        }
        self.accumulator = accumulator
        self.pending = pending
    }

    /// Emits what an incomplete final quantum holds.
    public mutating func finish(into output: inout [UInt8]) {
        if !finished { flush(into: &output) }
        finished = true
    }

    private mutating func flush(into output: inout [UInt8]) {
        switch pending {
        case 2:
            output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default:
            break
        }
        accumulator = 0
        pending = 0
    }

    private static let pad: UInt8 = 65

    /// 0–63 for the alphabet, `pad` for "=", 255 for everything else.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 255, count: 256)
        for (index, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(c)] = UInt8(index)
        }
        table[Int(UInt8(ascii: "="))] = pad
        return table
    }()
}
