import Foundation
import Synchronization

/// Parks the inference thread until woken. A wake that comes before the park is kept, so none is lost between
/// the decision to park (taken under the service's lock) and the park itself.
final class ThreadParker: Sendable {
    private let condition = NSCondition()
    /// Only read and written with `condition` locked.
    private let permit = Atomic<Bool>(false)

    func park() {
        condition.lock()
        while !permit.load(ordering: .relaxed) { condition.wait() }
        permit.store(false, ordering: .relaxed)
        condition.unlock()
    }

    func unpark() {
        condition.lock()
        permit.store(true, ordering: .relaxed)
        condition.signal()
        condition.unlock()
    }
}
