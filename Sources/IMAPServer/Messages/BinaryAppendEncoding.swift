import MIME

/// APPEND of binary data (RFC 3516 `literal8`): parts whose content holds NUL
/// octets cannot be sent back in a `BODY[...]` literal, and BODYSTRUCTURE must
/// describe a transfer encoding IMAP can carry (RFC 3516 section 6). Such parts
/// are re-encoded to base64 before the message is stored: their
/// Content-Transfer-Encoding fields are replaced and their content encoded.
/// Everything else is stored byte for byte (RFC 3516 asks servers to change the
/// encoding only when they must, cryptographic signatures depend on it), and
/// BINARY[...] still returns the original octets, decoded from the base64.
enum BinaryAppendEncoding {
    /// The message as it should be stored.
    static func storable(_ message: [UInt8]) -> [UInt8] {
        guard message.contains(0) else { return message }
        let structure = MessageStructure(parsing: message)
        var output: [UInt8] = []
        output.reserveCapacity(message.count * 4 / 3 + 256)
        var cursor = 0
        for (index, part) in structure.parts.enumerated() where part.kind == .leaf {
            guard message[part.body.offsets].contains(0) else { continue }
            let headerEnd = part.header.end - part.blankLineLength
            for field in structure.fields(of: part) where isTransferEncodingField(field, in: message) {
                output += message[cursor..<field.range.start]
                cursor = field.range.end
            }
            output += message[cursor..<headerEnd]
            output += Array("Content-Transfer-Encoding: base64\r\n".utf8)
            output += message[headerEnd..<part.body.start]
            output += base64Lines(message[part.body.offsets])
            // The whole message's own body: end it with a line break as before.
            if index == 0 { output += [0x0D, 0x0A] }
            cursor = part.body.end
        }
        output += message[cursor...]
        return output
    }

    private static func isTransferEncodingField(_ field: HeaderField, in message: [UInt8]) -> Bool {
        let name = "content-transfer-encoding".utf8
        guard field.name.count == name.count else { return false }
        return zip(message[field.name.offsets], name).allSatisfy { byte, lower in
            (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == lower
        }
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// RFC 2045 base64: lines of at most 76 characters, joined by CRLF.
    static func base64Lines(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 4 / 3 + bytes.count / 38 + 4)
        var lineLength = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let remaining = bytes.endIndex - index
            let b0 = bytes[index]
            let b1 = remaining > 1 ? bytes[index + 1] : 0
            let b2 = remaining > 2 ? bytes[index + 2] : 0
            if lineLength == 76 {
                output += [0x0D, 0x0A]
                lineLength = 0
            }
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            output.append(remaining > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : 0x3D)
            output.append(remaining > 2 ? alphabet[Int(b2 & 0x3F)] : 0x3D)
            lineLength += 4
            index += min(3, remaining)
        }
        return output
    }
}
