import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The store's pooled connections, as one pool per event loop. A request served on an event loop
/// (`OnConnectionLoop`) queries through the pool whose connections live on that same loop, so its
/// query is written, and the answer read and handed back, without waking another thread.
///
/// `DATABASE_POOL_SIZE` is the number of connections in all, shared out among the loops (8 on two
/// loops: 4 and 4); with fewer connections than loops, some loops have no pool of their own and
/// their requests use the others, as do tasks that run on no event loop.
final class PostgresPools: Service {
    private let pools: [(loop: any EventLoop, client: PostgresClient)]
    private let turn = Atomic<UInt>(0)

    init(configuration: PostgresClient.Configuration, size: Int, group: any EventLoopGroup, logger: Logger) {
        let loops = Array(group.makeIterator().prefix(max(1, size)))
        self.pools = loops.enumerated().map { index, loop in
            var configuration = configuration
            configuration.options.maximumConnections = size / loops.count + (index < size % loops.count ? 1 : 0)
            return (loop, PostgresClient(configuration: configuration, eventLoopGroup: loop, backgroundLogger: logger))
        }
    }

    /// The pool on the calling thread's event loop; off the loops, or on one without a pool, each pool in turn.
    var current: PostgresClient {
        if let loop = MultiThreadedEventLoopGroup.currentEventLoop, let pool = pools.first(where: { $0.loop === loop }) {
            return pool.client
        }
        return pools[Int(turn.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(pools.count))].client
    }

    /// Runs every pool until cancelled or shut down gracefully; no pool answers before this runs.
    func run() async {
        await withDiscardingTaskGroup { group in
            for pool in pools {
                group.addTask { await pool.client.run() }
            }
        }
    }
}
