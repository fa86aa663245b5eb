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

    /// A body FETCH's plan keeps no per-position arrays (nothing to keep): every
    /// position answers nil; with the session's encoder its labels are encoded.
    @Test func aPlanWithoutHeaderSectionsOrEncoderKeepsNoArrays() {
        let attributes: [FetchAttribute] = [.uid, .bodySection(SectionSpecifier(), partial: nil, peek: true)]
        let plan = FetchPlan(attributes)
        #expect(plan.headerSelections.isEmpty && plan.sectionLabels.isEmpty)
        #expect(plan.headerSelection(at: 1) == nil && plan.sectionLabel(at: 1) == nil && plan.needsWholeBodiesOnly)
        let labeled = FetchPlan(attributes, encoder: ResponseEncoder())
        #expect(labeled.sectionLabel(at: 0) == nil)
        #expect(labeled.sectionLabel(at: 1)?.bytes == Array("BODY[]".utf8))
    }
}
