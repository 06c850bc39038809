import ArgumentParser
import Foundation
import Logging
import Punchlist

/// The process's entry point: the command runs on Swift's global executor while the main thread
/// waits for it. Swift's own async entry point would hand the main thread to `dispatch_main`, which
/// ends it with `pthread_exit`, and glibc then unwinds the main thread's stack through the binary's
/// unwind tables, keeping 1–2 MiB of them resident for nothing (docs/BENCHMARKS.md, "Idle memory").
/// Nothing in the server runs on the main actor or the main queue, which nothing drains now.
@main
enum Main {
    static func main() {
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await PunchlistCommand.main()
            finished.signal()
        }
        finished.wait()
    }
}

/// The `punchlist` executable: thin, it reads settings and hands over to the library.
struct PunchlistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "punchlist",
        abstract: "A self-hostable multi-user Todo backend. Settings come from the environment and a .env file; see the README.",
        version: Punchlist.version,
        subcommands: [Serve.self, Migrate.self, HealthCheck.self, Version.self],
        defaultSubcommand: Serve.self
    )

    /// `punchlist` and `punchlist serve` (the image's command), the ways every deployment starts it,
    /// serve straight away: parsing a command line reflects over every command's properties, about a
    /// tenth of the start-up's CPU (docs/BENCHMARKS.md, "Start-up"). `serve` takes no options; anything
    /// else goes through ArgumentParser as usual.
    static func main() async {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.isEmpty || arguments == ["serve"] else { return await main(nil) }
        do {
            try await Serve().run()
        } catch {
            exit(withError: error)
        }
    }
}

/// Takes no options: `PunchlistCommand.main()` runs it without parsing. An option added here must
/// be parsed there too, or it would be read uninitialised.
struct Serve: AsyncParsableCommand {
    // Each command names itself: ArgumentParser would otherwise derive the name from the type's, at a cost
    // of protocol-conformance look-ups on every start (docs/BENCHMARKS.md, "Start-up").
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server (the default): migrate the database, then serve HTTP until SIGTERM or SIGINT.")

    func run() async throws {
        try await exitingCleanly {
            let settings = try await Settings.fromEnvironment()
            let logger = bootstrapLogging(settings)
            try await buildServer(settings: settings, logger: logger).run()
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending database migrations, then exit.")

    func run() async throws {
        try await exitingCleanly {
            let settings = try await Settings.fromEnvironment()
            let logger = bootstrapLogging(settings)
            try await migrateDatabase(settings: settings, logger: logger)
        }
    }
}

struct HealthCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 when the local server's /health answers, 1 otherwise (for container health checks).")

    func run() async throws {
        try await exitingCleanly {
            let settings = try await Settings.fromEnvironment()
            if await !checkHealth(settings: settings) { throw ExitCode(1) }
        }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    func run() {
        print(Punchlist.version)
    }
}

/// Start-up failures end the process with one line on standard error and a non-zero exit.
func exitingCleanly(_ work: () async throws -> Void) async throws {
    do {
        try await work()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("punchlist: \(describeStartupFailure(error))\n".utf8))
        throw ExitCode(1)
    }
}

func bootstrapLogging(_ settings: Settings) -> Logger {
    let level = settings.logLevel
    switch settings.logFormat {
    case .json:
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    case .text:
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
    return Logger(label: "punchlist")
}
