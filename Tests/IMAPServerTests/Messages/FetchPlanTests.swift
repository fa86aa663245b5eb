import IMAPCodec
import Testing
@testable import IMAPServer

/// `FetchPlan` prepares the field names of top-level HEADER.FIELDS(.NOT) items
/// once per FETCH; every other item, and sections of parts, get none.
@Suite struct FetchPlanTests {
    @Test func onlyTopLevelHeaderFieldSectionsArePrepared() {
        let attributes: [FetchAttribute] = [
            .uid, .flags,
            .bodySection(SectionSpecifier(text: .headerFields(["FROM", "Subject"])), partial: nil, peek: true),
            .bodySection(SectionSpecifier(part: [2], text: .headerFields(["From"])), partial: nil, peek: true),
            .bodySection(SectionSpecifier(text: .headerFieldsNot(["Received"])), partial: nil, peek: false),
            .bodySection(SectionSpecifier(text: .header), partial: nil, peek: true),
        ]
        let plan = FetchPlan(attributes)
        #expect(plan.attributes == attributes)
        #expect(plan.headerSelections.map { $0?.keep } == [nil, nil, true, nil, false, nil])
    }
}
