import Logging
import Testing

@testable import Punchlist

@Suite struct ServiceNamesTests {
    /// ServiceLifecycle names each service by `"\(service)"` in its logs. A struct without a
    /// description would be printed field by field, by reflection, which also cost start-up a tenth
    /// of its CPU (docs/BENCHMARKS.md, "Start-up"): each of ours names itself.
    @Test func servicesNameThemselvesAsServiceLifecycleLogsThem() async throws {
        try await withStore(.sqlite) { store in
            let services: [Any] = [Pruner(store: store, logger: Logger(label: "test")), LiveConnectionsCloser(hub: LiveHub())]
            #expect(services.map { "\($0)" } == ["Pruner", "LiveConnectionsCloser"])
        }
    }
}
