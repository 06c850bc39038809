import ServiceLifecycle

/// A service that names itself in ServiceLifecycle's logs.
///
/// ServiceLifecycle (and Hummingbird, for the services added to an application) names each service
/// by `"\(service)"`. For a struct without a description that is a reflection of all its fields, and
/// every type met on the way costs protocol-conformance look-ups, each a scan of every conformance in
/// the binary: about a tenth of the start-up's CPU (docs/BENCHMARKS.md, "Start-up").
/// A fixed name costs two look-ups instead, and reads better in a debug log.
protocol NamedService: Service, CustomStringConvertible {}
