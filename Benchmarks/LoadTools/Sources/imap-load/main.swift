import Foundation
import LoadCore

// imap-load WORKLOAD [options]: see LoadOptions.usage. Exit status: 0 measured without
// errors, 1 measured with errors, 2 usage, 3 nothing measured (result.fatal says why).
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.isEmpty || arguments.contains("--help") || arguments.contains("-h") {
    print(LoadOptions.usage)
    exit(arguments.isEmpty ? 2 : 0)
}
let options: LoadOptions
do {
    options = try LoadOptions.parse(arguments)
} catch {
    FileHandle.standardError.write(Data("imap-load: \(error.detail)\n\(LoadOptions.usage)\n".utf8))
    exit(2)
}
signal(SIGPIPE, SIG_IGN)
if options.workload == .serveCopy {
    // Serves until killed; returns only when it cannot start.
    FileHandle.standardError.write(Data("imap-load: serve-copy: \(CopyServer(options: options).run())\n".utf8))
    exit(3)
}
if let range = options.childRange {
    // A child of idle-capacity: speaks only READY/RESULT lines to its parent.
    do {
        exit(IdleCapacityWorkload(session: try Session(options: options)).runChild(range))
    } catch {
        FileHandle.standardError.write(Data("imap-load: \(error)\n".utf8))
        exit(3)
    }
}
let result = LoadRunner.run(options)
if options.jsonPath == "-" {
    print(result.json())
    FileHandle.standardError.write(Data((result.table() + "\n").utf8))
} else {
    print(result.table())
    if let path = options.jsonPath {
        do {
            try (result.json() + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("imap-load: cannot write \(path): \(error)\n".utf8))
        }
    }
}
if let fatal = result.fatal {
    FileHandle.standardError.write(Data("imap-load: error: \(fatal)\n".utf8))
    exit(3)
}
exit(result.errors.isEmpty ? 0 : 1)
