/// A streaming quoted-printable decoder (RFC 2045 §6.7) for BINARY[] and SEARCH.
///
/// Feed chunks of any size with `decode(_:into:)`, then `finish(into:)`. Rules:
/// `=XX` is a byte; `=` followed by optional white space and a line break is a
/// soft line break; white space at the end of a line is dropped (rule 3: it was
/// added in transport); every line break is emitted as CRLF. An `=` that starts
/// neither form is kept literally, as RFC 2045 recommends for robustness.
public struct QuotedPrintableDecoder: Sendable {
    private enum State: Sendable {
        case text
        /// After "=".
        case equals
        /// After "=" and one hex digit.
        case equalsHex(UInt8, UInt8)
        /// After "=" and white space (in `whitespace`).
        case equalsSpace
        /// After a CR, waiting to see whether an LF follows.
        case carriageReturn(soft: Bool)
    }

    private var state = State.text
    /// White space seen but not yet known to be inside a line (not trailing).
    private var whitespace: [UInt8] = []

    public init() {}

    /// Decodes `input`, appending the bytes to `output`.
    public mutating func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + input.count)
        for byte in input { step(byte, &output) }
    }

    /// Ends the input: a trailing "=" is a soft line break, a trailing "=X" is
    /// kept as text, trailing white space is dropped like at any line end.
    public mutating func finish(into output: inout [UInt8]) {
        switch state {
        case .equals:
            break
        case .equalsHex(let raw, _):
            output.append(UInt8(ascii: "="))
            output.append(raw)
        case .equalsSpace:
            break  // "=" + white space at the very end: a soft break
        case .carriageReturn(let soft):
            if !soft { output.append(0x0D) }
        case .text:
            break
        }
        state = .text
        whitespace.removeAll()
    }

    @inline(__always)
    private mutating func step(_ byte: UInt8, _ output: inout [UInt8]) {
        switch state {
        case .text:
            text(byte, &output)
        case .equals:
            if let high = HexDigit.value(byte) {
                state = .equalsHex(byte, high)
            } else if byte == 0x20 || byte == 0x09 {
                whitespace.append(byte)
                state = .equalsSpace
            } else if byte == 0x0A {
                state = .text  // soft line break with a bare LF
            } else if byte == 0x0D {
                state = .carriageReturn(soft: true)
            } else {
                output.append(UInt8(ascii: "="))
                state = .text
                text(byte, &output)
            }
        case .equalsHex(let raw, let high):
            state = .text
            if let low = HexDigit.value(byte) {
                output.append(high << 4 | low)
            } else {
                output.append(UInt8(ascii: "="))
                output.append(raw)
                text(byte, &output)
            }
        case .equalsSpace:
            if byte == 0x20 || byte == 0x09 {
                whitespace.append(byte)
            } else if byte == 0x0A {
                whitespace.removeAll()
                state = .text
            } else if byte == 0x0D {
                whitespace.removeAll()
                state = .carriageReturn(soft: true)
            } else {
                output.append(UInt8(ascii: "="))
                state = .text
                text(byte, &output)  // flushes the held white space first
            }
        case .carriageReturn(let soft):
            state = .text
            if byte == 0x0A {
                if !soft { output += [0x0D, 0x0A] }
            } else {
                if !soft { output.append(0x0D) }
                text(byte, &output)
            }
        }
    }

    @inline(__always)
    private mutating func text(_ byte: UInt8, _ output: inout [UInt8]) {
        switch byte {
        case 0x20, 0x09:
            whitespace.append(byte)
        case 0x0A:
            whitespace.removeAll()
            output += [0x0D, 0x0A]
        case 0x0D:
            whitespace.removeAll()
            state = .carriageReturn(soft: false)
        case UInt8(ascii: "="):
            output += whitespace
            whitespace.removeAll()
            state = .equals
        default:
            if !whitespace.isEmpty {
                output += whitespace
                whitespace.removeAll()
            }
            output.append(byte)
        }
    }
}
