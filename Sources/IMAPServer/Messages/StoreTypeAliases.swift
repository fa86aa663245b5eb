import MailStore

// The module MailStore has a class of the same name, so `MailStore.SearchKey`
// does not resolve; files that also import IMAPCodec (which has its own
// `SearchKey` and `SequenceRange`) name the store's types through these.
typealias StoreSearchKey = SearchKey
typealias StoreSequenceRange = SequenceRange
