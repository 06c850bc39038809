import Foundation
import Logging

/// Finds the tasks a message is about: by full-text search (the same search as the list's `q`),
/// and, when an embedding model is configured, by vector similarity; the two rankings are fused.
struct Retrieval: Sendable {
    let store: any Store
    /// The model that embeds, and its name; nil leaves retrieval to full-text search.
    let embedder: (model: LanguageModel, name: String)?
    let logger: Logger

    /// At most this many tasks go into the model's context.
    static let limit = 8
    /// Changed tasks re-embedded before one answer; the rest wait for the next.
    static let refreshBatch = 64
    /// Words too common to say what a message is about.
    static let stopWords: Set<String> = [
        "a", "about", "all", "am", "an", "and", "any", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "have", "how",
        "i", "if", "in", "is", "it", "me", "my", "of", "on", "or", "please", "show", "so", "that", "the", "there", "these", "this", "to",
        "what", "when", "where", "which", "who", "why", "will", "with", "you", "your", "task", "tasks", "todo", "todos",
    ]

    /// The relevant tasks, most relevant first.
    func relevantTasks(for message: String, userID: UUID) async throws -> [TaskItem] {
        var scores: [UUID: Double] = [:]
        var found: [UUID: TaskItem] = [:]
        // Each word is searched on its own, so a question matches tasks that share any of its words;
        // tasks matching several words rank first (reciprocal-rank fusion).
        let words = TaskListParameters.words(message).filter { $0.count > 1 && !Self.stopWords.contains($0) }
        for word in words.prefix(6) {
            var query = TaskQuery()
            query.searchWords = [word]
            query.sort = .relevance
            query.limit = 10
            for (rank, task) in try await store.tasks(userID: userID, matching: query).items.enumerated() {
                scores[task.id, default: 0] += 1 / Double(60 + rank)
                found[task.id] = task
            }
        }
        if let embedder {
            do {
                for (rank, id) in try await similarTasks(to: message, userID: userID, embedder: embedder).enumerated() {
                    scores[id, default: 0] += 1 / Double(60 + rank)
                }
            } catch let failure as ModelFailure {
                // Full-text results still answer; say why the vectors did not help.
                logger.warning("embedding failed; answering from full-text search alone", metadata: ["detail": "\(failure.detail)"])
            }
        }
        var ranked: [TaskItem] = []
        for (id, _) in scores.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key.uuidString < $1.key.uuidString) }) {
            if ranked.count == Self.limit { break }
            if let task = found[id] {
                ranked.append(task)
            } else if let task = try await store.task(id: id, userID: userID) {
                ranked.append(task)
            }
        }
        return ranked
    }

    /// The ids of the tasks whose vectors lie closest to the message's, best first.
    private func similarTasks(to message: String, userID: UUID, embedder: (model: LanguageModel, name: String)) async throws -> [UUID] {
        // Vectors are refreshed for tasks created or changed since they were computed.
        let stale = try await store.tasksNeedingEmbeddings(userID: userID, model: embedder.name, limit: Self.refreshBatch)
        if !stale.isEmpty {
            let vectors: [[Float]]
            do {
                vectors = try await embedder.model.embed(stale.map(Self.embeddingText), embeddingModel: embedder.name)
            } catch is ModelFailure {
                // One text the model refuses must not fail every later batch: embed one by one, and keep an empty
                // vector (never similar to anything) for a refused text until its task changes.
                var single: [[Float]] = []
                for task in stale {
                    single.append((try? await embedder.model.embed([Self.embeddingText(task)], embeddingModel: embedder.name).first) ?? [])
                }
                vectors = single
            }
            try await store.save(
                embeddings: zip(stale, vectors).map { TaskEmbedding(taskID: $0.id, version: $0.version, vector: $1) }, userID: userID,
                model: embedder.name)
        }
        guard let query = try await embedder.model.embed([message], embeddingModel: embedder.name).first else { return [] }
        let scored = try await store.embeddings(userID: userID, model: embedder.name).compactMap { embedding -> (UUID, Float)? in
            guard let similarity = Self.cosine(query, embedding.vector), similarity > 0.2 else { return nil }
            return (embedding.taskID, similarity)
        }
        return scored.sorted { $0.1 > $1.1 }.prefix(10).map(\.0)
    }

    /// What is embedded for a task: its words, without ids or dates, at most 2,000 characters
    /// (well inside embedding models' input limits).
    static func embeddingText(_ task: TaskItem) -> String {
        var text = task.title
        if !task.tags.isEmpty { text += "\nTags: " + task.tags.joined(separator: ", ") }
        if !task.description.isEmpty { text += "\n" + task.description }
        return String(text.prefix(2_000))
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float? {
        guard a.count == b.count, !a.isEmpty else { return nil }
        var dot: Float = 0
        var normA: Float = 0
        var normB: Float = 0
        for index in a.indices {
            dot += a[index] * b[index]
            normA += a[index] * a[index]
            normB += b[index] * b[index]
        }
        guard normA > 0, normB > 0 else { return nil }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }
}
