import JSON
import Tokenizers

/// LeRobot's `pi05_prepare_state_tokenizer_processor_step` (pi0.5's pre-processor, between the normalizer and the
/// tokenizer step): the state as the pipeline has it at that point (normalized, expected in [−1, 1]) is zero-padded
/// to `max_state_dim`, discretized into 256 bins and written into the prompt
/// `"Task: <task>, State: <bins>;\nAction: "` that the tokenizer step then tokenizes
/// (``LeRobotPrompt/pi05(task:normalizedState:maxStateDimension:)``). pi0.5's model has no state input: this prompt
/// is the only way the state reaches it.
///
/// LeRobot 0.4.4 saves this step with an empty config, so a loaded pipeline always pads to the class default, 32;
/// a `max_state_dim` in the config (a later version) is honoured.
public struct StatePromptStep: Sendable, Hashable {
    public static let name = "pi05_prepare_state_tokenizer_processor_step"
    /// LeRobot's default `max_state_dim` of the step.
    public static let defaultMaxStateDimension = 32
    /// Bound on `max_state_dim` read from a file (each padded value becomes a few prompt tokens).
    public static let maxStateDimensionLimit = 4096

    public let maxStateDimension: Int

    public init(maxStateDimension: Int = defaultMaxStateDimension) {
        self.maxStateDimension = maxStateDimension
    }

    /// Reads the step's config (`max_state_dim`, optional; `task_key` must be LeRobot's "task").
    init(stepConfig: JSONValue, source: String) throws(PolicyRuntimeError) {
        var dimension = Self.defaultMaxStateDimension
        if let value = stepConfig["max_state_dim"] {
            guard let int = value.int, (1...Self.maxStateDimensionLimit).contains(int) else {
                throw PolicyRuntimeError(
                    .invalidCheckpoint, "\(source): max_state_dim must be an integer in 1...\(Self.maxStateDimensionLimit), got \(value)")
            }
            dimension = int
        }
        if let key = stepConfig["task_key"], key.string != "task" {
            throw PolicyRuntimeError(
                .unsupportedPolicy, "\(source): task_key \(key.pythonRepr) is not supported (the request's task is the prompt's task)")
        }
        self.maxStateDimension = dimension
    }

    /// The prompt for one sample: its task and its state at this point of the pipeline.
    public func prompt(task: String, state: [Float]) -> String {
        LeRobotPrompt.pi05(task: task, normalizedState: state, maxStateDimension: maxStateDimension)
    }
}
