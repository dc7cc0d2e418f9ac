/// How one policy instance is shared between robots (lerobot-protocol.md §6).
public enum ServingMode: String, Sendable, Hashable {
    /// One instance serves up to `max_sessions` robots: the policy keeps no state between requests.
    case shared
    /// One robot at a time (`max_sessions` forced to 1): the policy keeps observation history or is unverified.
    case exclusive
}

/// What a policy family is, as far as serving goes. Classified per family, never inferred.
public enum PolicyServingClass: Sendable, Hashable {
    case chunkStateless
    case chunkStateful(reason: String)
    case noChunkAPI
    case unverified

    /// Classifies a policy `type` from its `config.json` (`n_obs_steps` matters for SmolVLA).
    public init(policyType: String, nObsSteps: Int = 1) {
        switch policyType {
        case "act", "pi0", "pi05", "mock":
            self = .chunkStateless
        case "smolvla":
            self =
                nObsSteps <= 1
                ? .chunkStateless : .chunkStateful(reason: "smolvla with n_obs_steps=\(nObsSteps) keeps an observation history")
        case "diffusion":
            self = .chunkStateful(reason: "diffusion keeps an observation history (n_obs_steps) between requests")
        case "sac", "tdmpc", "vqbet":
            self = .noChunkAPI
        default:
            self = .unverified
        }
    }

    /// Whether the family supports real-time chunking (prefix-conditioned generation).
    public static func supportsRTC(policyType: String) -> Bool {
        ["pi0", "pi05", "smolvla"].contains(policyType)
    }
}

extension ServingMode {
    /// Resolves the manifest's `serving_mode` against the policy's class; refuses unsafe or impossible choices.
    public static func resolve(
        requested: ServerManifest.ServingModeRequest, policyType: String, servingClass: PolicyServingClass
    ) throws(PolicyServerError) -> ServingMode {
        switch servingClass {
        case .noChunkAPI:
            throw PolicyServerError(
                .unsupportedPolicy,
                "policy type '\(policyType)' has no action-chunk API (predict_action_chunk) and cannot be served remotely")
        case .chunkStateless:
            return requested == .exclusive ? .exclusive : .shared
        case .chunkStateful(let reason):
            if requested == .shared {
                throw PolicyServerError(
                    .unsupportedPolicy,
                    "serving_mode=shared is unsafe for this policy: \(reason). Use serving_mode=exclusive (or auto).")
            }
            return .exclusive
        case .unverified:
            if requested == .shared {
                throw PolicyServerError(
                    .unsupportedPolicy,
                    "serving_mode=shared is unsafe for this policy: policy type '\(policyType)' is not verified "
                        + "chunk-stateless. Use serving_mode=exclusive (or auto).")
            }
            return .exclusive
        }
    }
}
