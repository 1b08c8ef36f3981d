import Foundation

/// A blocking first-in first-out queue between threads, bounded by a count and by a weight (bytes), so that a fast
/// producer waits for slow consumers instead of filling memory.
///
/// `close()` wakes everyone: pushes then fail and pops drain what is left, then return nil.
final class BoundedQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [(Element, Int)] = []
    private var head = 0
    private var weight = 0
    private var closed = false
    private let maxCount: Int
    private let maxWeight: Int

    /// A queue of at most `maxCount` elements and `maxWeight` total weight (one heavier element is always let in
    /// when the queue is empty, so nothing can block for ever).
    init(maxCount: Int, maxWeight: Int = .max) {
        self.maxCount = max(1, maxCount)
        self.maxWeight = max(1, maxWeight)
    }

    /// Waits for room and appends; false when the queue was closed.
    @discardableResult
    func push(_ element: Element, weight w: Int = 1) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !closed && count > 0 && (count >= maxCount || weight + w > maxWeight) {
            condition.wait()
        }
        if closed { return false }
        items.append((element, w))
        weight += w
        condition.broadcast()
        return true
    }

    /// Waits for an element; nil once the queue is closed and empty.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !closed { condition.wait() }
        guard count > 0 else { return nil }
        let (element, w) = items[head]
        head += 1
        weight -= w
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return element
    }

    /// No more pushes: consumers drain what is queued, producers stop.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private var count: Int { items.count - head }
}
