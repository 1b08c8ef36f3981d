import Foundation

/// A blocking first-in first-out queue between threads, bounded by a count and by a weight (bytes), so that a fast
/// producer waits for slow consumers instead of filling memory.
///
/// `close()` wakes everyone: pushes then fail and pops drain what is left, then return nil.
///
/// Producers and consumers wait on separate conditions and are woken only when one of them waits, and a waiting
/// producer only once the queue has drained to half its bounds: it then refills in one go instead of waking for
/// every element taken (an import moves ~20,000 elements through its queues per 10,000 studies, and waking every
/// waiter on every push and pop, as one shared condition did, cost ~7 % of the workers' CPU in futex calls and
/// context switches).
final class BoundedQueue<Element>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let notEmpty = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let notFull = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var items: [(Element, Int)] = []
    private var head = 0
    private var weight = 0
    private var closed = false
    private var waitingConsumers = 0
    private var waitingProducers = 0
    private let maxCount: Int
    private let maxWeight: Int

    /// A queue of at most `maxCount` elements and `maxWeight` total weight (one heavier element is always let in
    /// when the queue is empty, so nothing can block for ever).
    init(maxCount: Int, maxWeight: Int = .max) {
        self.maxCount = max(1, maxCount)
        self.maxWeight = max(1, maxWeight)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(notEmpty, nil)
        pthread_cond_init(notFull, nil)
    }

    deinit {
        pthread_cond_destroy(notFull)
        pthread_cond_destroy(notEmpty)
        pthread_mutex_destroy(mutex)
        notFull.deallocate()
        notEmpty.deallocate()
        mutex.deallocate()
    }

    /// Waits for room and appends; false when the queue was closed.
    @discardableResult
    func push(_ element: Element, weight w: Int = 1) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !closed && count > 0 && (count >= maxCount || weight + w > maxWeight) {
            waitingProducers += 1
            pthread_cond_wait(notFull, mutex)
            waitingProducers -= 1
        }
        if closed { return false }
        items.append((element, w))
        weight += w
        if waitingConsumers > 0 { pthread_cond_signal(notEmpty) }
        return true
    }

    /// Waits for an element; nil once the queue is closed and empty.
    func pop() -> Element? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while count == 0 && !closed {
            waitingConsumers += 1
            pthread_cond_wait(notEmpty, mutex)
            waitingConsumers -= 1
        }
        guard count > 0 else { return nil }
        let (element, w) = items[head]
        head += 1
        weight -= w
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        // Producers wait until half the room is free (or the queue is empty, which always lets one in).
        if waitingProducers > 0 && (count == 0 || (count <= maxCount / 2 && weight <= maxWeight / 2)) {
            pthread_cond_broadcast(notFull)
        }
        return element
    }

    /// No more pushes: consumers drain what is queued, producers stop.
    func close() {
        pthread_mutex_lock(mutex)
        closed = true
        pthread_cond_broadcast(notEmpty)
        pthread_cond_broadcast(notFull)
        pthread_mutex_unlock(mutex)
    }

    private var count: Int { items.count - head }
}
