import PolicyServer
import PolicyWire
import Testing

@Suite("Serving modes, session validation, scheduling, mailboxes, RTC prefixes")
struct ServingTests {
    @Test(
        "Serving-mode resolution",
        arguments: [
            ("act", 1, ServerManifest.ServingModeRequest.auto, ServingMode.shared),
            ("pi0", 1, .auto, .shared), ("pi05", 1, .shared, .shared), ("smolvla", 1, .auto, .shared),
            ("smolvla", 2, .auto, .exclusive), ("diffusion", 2, .auto, .exclusive), ("act", 1, .exclusive, .exclusive),
            ("my_new_policy", 1, .auto, .exclusive),
        ])
    func resolution(type: String, nObs: Int, requested: ServerManifest.ServingModeRequest, expected: ServingMode) throws {
        let mode = try ServingMode.resolve(
            requested: requested, policyType: type, servingClass: PolicyServingClass(policyType: type, nObsSteps: nObs))
        #expect(mode == expected)
    }

    @Test("Unsafe or impossible serving modes are refused at start-up")
    func refusals() {
        #expect {
            try ServingMode.resolve(requested: .shared, policyType: "diffusion", servingClass: .init(policyType: "diffusion"))
        } throws: { error in
            (error as? PolicyServerError)?.message
                == "serving_mode=shared is unsafe for this policy: diffusion keeps an observation history (n_obs_steps) "
                + "between requests. Use serving_mode=exclusive (or auto)."
        }
        #expect(throws: PolicyServerError.self) {
            try ServingMode.resolve(requested: .auto, policyType: "sac", servingClass: .init(policyType: "sac"))
        }
        #expect(PolicyServingClass.supportsRTC(policyType: "smolvla") && !PolicyServingClass.supportsRTC(policyType: "act"))
    }

    static let names = (0..<6).map { "joint_\($0).pos" }
    static let server = ServerCapabilities(
        policyType: "pi0", actionNames: names, expectedCameras: ["observation.images.front"], stateDim: 6,
        trainedFPS: 30, strictFPS: false, pinnedTask: nil, rtcActive: true, maxSessions: 2)
    static let good = SessionOpen(
        clientUUID: "r1", policyType: "pi0", fps: 30, actionNames: names, cameraNames: ["observation.images.front"],
        stateDim: 6, rtcEnabled: true, task: "t")

    @Test("Session open: every row of the validation table, in order")
    func validation() {
        let s = Self.server
        func check(_ open: SessionOpen, _ server: ServerCapabilities = Self.server, active: Int = 0, replacing: Bool = false)
            -> SessionValidation
        {
            SessionValidation.check(open, against: server, activeSessions: active, isReplacing: replacing)
        }
        #expect(check(Self.good) == .accepted(warnings: [], rtcGranted: true))
        var o = Self.good
        o.schemaVersion = 2
        #expect(check(o) == .rejected("schema_version 2 outside supported range [1, 1]"))
        #expect(check(Self.good, active: 2) == .rejected("server full: 2/2 sessions active"))
        #expect(check(Self.good, active: 2, replacing: true) == .accepted(warnings: [], rtcGranted: true))
        o = Self.good
        o.actionNames = Array(Self.names.reversed())
        guard case .rejected(let text) = check(o) else { Issue.record("order mismatch accepted"); return }
        #expect(text.hasPrefix("action feature names/order mismatch — refusing to map chunk columns to motors."))
        #expect(text.contains("'joint_5.pos', 'joint_4.pos'"))
        o = Self.good
        o.stateDim = 7
        #expect(check(o) == .rejected("state dim mismatch: server=6, client=7"))
        o.stateDim = 0
        #expect(check(o) == .accepted(warnings: [], rtcGranted: true))
        o = Self.good
        o.cameraNames = ["observation.images.wrist"]
        #expect(
            check(o)
                == .rejected(
                    "missing camera features ['observation.images.front'] (client provides ['observation.images.wrist']; "
                        + "resolution may differ — names may not)"))
        var pinned = s
        pinned.pinnedTask = "fold"
        #expect(check(Self.good, pinned) == .rejected("task is pinned to 'fold' on this server, got 't'"))
        o = Self.good
        o.fps = 15
        #expect(check(o) == .accepted(warnings: ["client fps=15.0 != trained fps=30.0"], rtcGranted: true))
        var strict = s
        strict.strictFPS = true
        #expect(check(o, strict) == .rejected("client fps=15.0 != trained fps=30.0 (strict_fps=true)"))
        o = Self.good
        o.policyType = "act"
        #expect(check(o) == .accepted(warnings: ["client policy_type='act' != server policy_type='pi0'"], rtcGranted: true))
        var noRTC = s
        noRTC.rtcActive = false
        #expect(
            check(Self.good, noRTC)
                == .accepted(
                    warnings: ["RTC requested but this server/policy does not support it — downgrading to chunk-append"],
                    rtcGranted: false))
    }

    @Test("Round-robin never starves a ready session")
    func fairness() {
        var scheduler = RoundRobinScheduler()
        var served: [String] = []
        for _ in 0..<9 { served.append(scheduler.next(ready: ["c", "a", "b"])!) }
        #expect(served == ["a", "b", "c", "a", "b", "c", "a", "b", "c"])
        #expect(scheduler.next(ready: ["a"]) == "a")
        #expect(scheduler.next(ready: ["a", "b"]) == "b")
        #expect(scheduler.next(ready: []) == nil)
    }

    @Test("Mailboxes: newest wins and supersessions are counted")
    func mailbox() {
        var box = Mailbox<Int>()
        let first = box.deposit(1)
        let second = box.deposit(2)
        let third = box.deposit(3)
        #expect(!first && second && third)
        let taken = box.takeForReply()
        #expect(taken?.item == 3 && taken?.superseded == 2)
        let empty = box.takeForReply()
        #expect(empty == nil)
        box.deposit(4)
        let again = box.takeForReply()
        #expect(again?.superseded == 0)
        #expect(box.supersededTotal == 2)
    }

    @Test("RTC prefix: truncated or zero-padded to the horizon")
    func prefix() throws {
        let three = try PolicyTensor(float32Rows: [[1, 2], [3, 4], [5, 6]])
        let padded = try RTCPrefix.fit(three, horizon: 4, actionDim: 2)
        #expect(padded.values == [1, 2, 3, 4, 5, 6, 0, 0] && padded.validRows == 3)
        let truncated = try RTCPrefix.fit(three, horizon: 2, actionDim: 2)
        #expect(truncated.values == [1, 2, 3, 4] && truncated.validRows == 2)
        #expect(try RTCPrefix.fit(nil, horizon: 2, actionDim: 2).values == [0, 0, 0, 0])
        #expect(throws: PolicyWireError.self) { try RTCPrefix.fit(three, horizon: 2, actionDim: 3) }
    }
}
