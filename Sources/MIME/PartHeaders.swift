/// Indices (into the structure's field table) of the first occurrence of each header
/// field that ENVELOPE and BODYSTRUCTURE are built from.
struct PartHeaders {
    var contentType: Int?
    var transferEncoding: Int?
    var contentID: Int?
    var contentDescription: Int?
    var contentMD5: Int?
    var contentDisposition: Int?
    var contentLanguage: Int?
    var contentLocation: Int?

    var date: Int?
    var subject: Int?
    var from: Int?
    var sender: Int?
    var replyTo: Int?
    var to: Int?
    var cc: Int?
    var bcc: Int?
    var inReplyTo: Int?
    var messageID: Int?

    init(fields: [HeaderField], range: Range<Int>, bytes: MessageBytes) {
        for index in range {
            let name = bytes.buffer(fields[index].name)
            // Dispatch on length first: most fields are rejected after one compare.
            switch name.count {
            case 2:
                if FieldName.equals(name, Self.to) { Self.set(&to, index) }
                else if FieldName.equals(name, Self.cc) { Self.set(&cc, index) }
            case 3:
                if FieldName.equals(name, Self.bcc) { Self.set(&bcc, index) }
            case 4:
                if FieldName.equals(name, Self.date) { Self.set(&date, index) }
                else if FieldName.equals(name, Self.from) { Self.set(&from, index) }
            case 6:
                if FieldName.equals(name, Self.sender) { Self.set(&sender, index) }
            case 7:
                if FieldName.equals(name, Self.subject) { Self.set(&subject, index) }
            case 8:
                if FieldName.equals(name, Self.replyTo) { Self.set(&replyTo, index) }
            case 10:
                if FieldName.equals(name, Self.messageID) { Self.set(&messageID, index) }
                else if FieldName.equals(name, Self.contentID) { Self.set(&contentID, index) }
            case 11:
                if FieldName.equals(name, Self.inReplyTo) { Self.set(&inReplyTo, index) }
                else if FieldName.equals(name, Self.contentMD5) { Self.set(&contentMD5, index) }
            case 12:
                if FieldName.equals(name, Self.contentType) { Self.set(&contentType, index) }
            case 16:
                if FieldName.equals(name, Self.contentLanguage) { Self.set(&contentLanguage, index) }
                else if FieldName.equals(name, Self.contentLocation) { Self.set(&contentLocation, index) }
            case 19:
                if FieldName.equals(name, Self.contentDescription) { Self.set(&contentDescription, index) }
                else if FieldName.equals(name, Self.contentDisposition) { Self.set(&contentDisposition, index) }
            case 25:
                if FieldName.equals(name, Self.transferEncoding) { Self.set(&transferEncoding, index) }
            default:
                break
            }
        }
    }

    @inline(__always)
    private static func set(_ slot: inout Int?, _ index: Int) {
        if slot == nil { slot = index }
    }

    private static let to = Array("to".utf8)
    private static let cc = Array("cc".utf8)
    private static let bcc = Array("bcc".utf8)
    private static let date = Array("date".utf8)
    private static let from = Array("from".utf8)
    private static let sender = Array("sender".utf8)
    private static let subject = Array("subject".utf8)
    private static let replyTo = Array("reply-to".utf8)
    private static let messageID = Array("message-id".utf8)
    private static let contentID = Array("content-id".utf8)
    private static let inReplyTo = Array("in-reply-to".utf8)
    private static let contentMD5 = Array("content-md5".utf8)
    private static let contentType = Array("content-type".utf8)
    private static let contentLanguage = Array("content-language".utf8)
    private static let contentLocation = Array("content-location".utf8)
    private static let contentDescription = Array("content-description".utf8)
    private static let contentDisposition = Array("content-disposition".utf8)
    private static let transferEncoding = Array("content-transfer-encoding".utf8)
}
