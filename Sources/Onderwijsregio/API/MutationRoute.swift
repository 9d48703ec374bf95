/// Where each mutation goes and what it carries: api-contract.md §6. The paths marked
/// [assumed] there live in this table only.
struct MutationRoute: Sendable {
    enum Target { case none, candidate, candidateAndSub }
    enum Body { case none, array, object }

    let name: String
    let method: HTTPRequest.Method
    let target: Target
    let body: Body
    /// The part of the region's schema the body is checked against before sending; nil when
    /// there is none (deletes, archive, interaction patches that the service checks whole).
    let validation: ValidationTarget?
    private let pathTemplate: [PathPiece]

    private enum PathPiece { case literal(String), candidate, sub }

    static let all: [MutationRoute] = [
        MutationRoute("candidates.create", .post, .none, .array, .candidateBatch, [.literal("/candidates")]),
        MutationRoute("candidates.upsert", .post, .none, .object, .candidate(.create), [.literal("/candidates/upsert")]),
        MutationRoute("candidates.update", .patch, .candidate, .object, .candidate(.update), [.literal("/candidates/"), .candidate]),
        MutationRoute("candidates.archive", .post, .candidate, .none, nil, [.literal("/candidates/"), .candidate, .literal("/archive")]),
        MutationRoute("candidates.delete", .delete, .candidate, .none, nil, [.literal("/candidates/"), .candidate]),
        MutationRoute("interactions.create", .post, .candidate, .array, .interactions,
                      [.literal("/candidates/"), .candidate, .literal("/interactions")]),
        MutationRoute("interactions.update", .patch, .candidateAndSub, .object, nil,
                      [.literal("/candidates/"), .candidate, .literal("/interactions/"), .sub]),
        MutationRoute("interactions.delete", .delete, .candidateAndSub, .none, nil,
                      [.literal("/candidates/"), .candidate, .literal("/interactions/"), .sub]),
        MutationRoute("attachments.add", .post, .candidate, .object, .attachments,
                      [.literal("/candidates/"), .candidate, .literal("/attachments")]),
        MutationRoute("attachments.delete", .delete, .candidateAndSub, .none, nil,
                      [.literal("/candidates/"), .candidate, .literal("/attachments/"), .sub]),
    ]

    static func named(_ name: String) -> MutationRoute? {
        all.first { $0.name == name }
    }

    private init(_ name: String, _ method: HTTPRequest.Method, _ target: Target, _ body: Body,
                 _ validation: ValidationTarget?, _ pathTemplate: [PathPiece]) {
        self.name = name
        self.method = method
        self.target = target
        self.body = body
        self.validation = validation
        self.pathTemplate = pathTemplate
    }

    /// The request path for `targetId` ("rec1", or "rec1/int2" for the routes naming a sub
    /// resource), each id percent-encoded as one path segment.
    func path(targetId: String?) throws(ClientError) -> String {
        var ids: [Substring] = []
        switch (target, targetId) {
        case (.none, nil):
            break
        case (.none, .some):
            throw ClientError(.misuse, "\(name) takes no target id")
        case (_, nil):
            throw ClientError(.misuse, "\(name) needs a target id (\(target == .candidate ? "the candidate id" : "\"candidateId/subId\""))")
        case (.candidate, .some(let id)):
            ids = [Substring(id)]
        case (.candidateAndSub, .some(let id)):
            ids = id.split(separator: "/", omittingEmptySubsequences: false)
            guard ids.count == 2 else {
                throw ClientError(.misuse, "\(name) needs a target id of the form \"candidateId/subId\"")
            }
        }
        guard ids.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 256 }) else {
            throw ClientError(.misuse, "\(name): target ids must be 1 to 256 bytes long")
        }
        var path = ""
        for piece in pathTemplate {
            switch piece {
            case .literal(let text): path += text
            case .candidate: path += ServiceURL.percentEncode(String(ids[0]))
            case .sub: path += ServiceURL.percentEncode(String(ids[1]))
            }
        }
        return path
    }
}
