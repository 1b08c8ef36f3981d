import Foundation
import Testing

@testable import CTSyncCore

/// The import pipeline's queue: order, both bounds, closing, and no lost wake-up with many producers and consumers.
@Suite struct BoundedQueueTests {
    /// Runs `body` on a new thread; the semaphore is signalled when it returns.
    private func onThread(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.start()
        return done
    }

    @Test func elementsComeOutInOrderAndCloseDrainsThenEnds() {
        let q = BoundedQueue<Int>(maxCount: 10)
        for i in 0..<5 { #expect(q.push(i)) }
        q.close()
        #expect(!q.push(99), "a closed queue refuses pushes")
        var out: [Int] = []
        while let i = q.pop() { out.append(i) }
        #expect(out == [0, 1, 2, 3, 4])
        #expect(q.pop() == nil)
    }

    @Test func aFullQueueHoldsTheProducerUntilHalfIsTaken() {
        let q = BoundedQueue<Int>(maxCount: 4)
        for i in 0..<4 { q.push(i) }
        let pushed = onThread { q.push(4) }
        #expect(pushed.wait(timeout: .now() + 0.2) == .timedOut, "no room: the push waits")
        #expect(q.pop() == 0)
        // One taken: room for one, but the producer waits until half the queue is free.
        #expect(q.pop() == 1)
        #expect(pushed.wait(timeout: .now() + 30) == .success)
        q.close()
        var rest: [Int] = []
        while let i = q.pop() { rest.append(i) }
        #expect(rest == [2, 3, 4])
    }

    @Test func theWeightBoundsTooButAHeavyElementEntersAnEmptyQueue() {
        let q = BoundedQueue<String>(maxCount: 100, maxWeight: 10)
        #expect(q.push("heavy", weight: 50), "an empty queue lets one heavier element in")
        let light = onThread { q.push("light", weight: 1) }
        #expect(light.wait(timeout: .now() + 0.2) == .timedOut, "over the weight: the push waits")
        #expect(q.pop() == "heavy")
        #expect(light.wait(timeout: .now() + 30) == .success)
        #expect(q.pop() == "light")
    }

    @Test func closingWakesAWaitingProducerAndConsumer() {
        let full = BoundedQueue<Int>(maxCount: 1)
        full.push(0)
        let producer = onThread { #expect(!full.push(1)) }
        let empty = BoundedQueue<Int>(maxCount: 1)
        let consumer = onThread { #expect(empty.pop() == nil) }
        full.close()
        empty.close()
        #expect(producer.wait(timeout: .now() + 30) == .success)
        #expect(consumer.wait(timeout: .now() + 30) == .success)
    }

    /// Four producers and three consumers through a queue of three: every element arrives exactly once, each
    /// producer's in its order (a lost wake-up would hang here, and the time limit fails it).
    @Test(.timeLimit(.minutes(1))) func manyProducersAndConsumersLoseNothing() {
        let q = BoundedQueue<(Int, Int)>(maxCount: 3, maxWeight: 5)
        let perProducer = 20_000
        let producers = (0..<4).map { p in
            onThread { for i in 0..<perProducer { q.push((p, i), weight: 1 + i % 3) } }
        }
        final class Collected: @unchecked Sendable {
            let lock = NSLock()
            var got: [[Int]] = Array(repeating: [], count: 3)
        }
        let collected = Collected()
        let consumers = (0..<3).map { c in
            onThread {
                var mine: [(Int, Int)] = []
                while let e = q.pop() { mine.append(e) }
                collected.lock.withLock { collected.got[c] = mine.map { $0.0 * perProducer + $0.1 } }
            }
        }
        for p in producers { p.wait() }
        q.close()
        for c in consumers { c.wait() }
        let got = collected.got
        let all = got.flatMap { $0 }
        #expect(all.count == 4 * perProducer)
        #expect(Set(all).count == all.count)
        for mine in got {
            for p in 0..<4 {
                let fromP = mine.filter { $0 / perProducer == p }
                #expect(fromP == fromP.sorted(), "a consumer sees one producer's elements in order")
            }
        }
    }
}
