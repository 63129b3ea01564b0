package dev.cfnet.nio;

import dev.cfnet.RunLoop.Mode;
import java.util.Arrays;

/** A binary min-heap of timers by deadline, with O(log n) removal through each timer's index. Loop thread only. */
final class TimerHeap {
    private NioTimer[] heap = new NioTimer[16];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    NioTimer peek() {
        return size == 0 ? null : heap[0];
    }

    NioTimer poll() {
        if (size == 0) return null;
        NioTimer top = heap[0];
        removeAt(0);
        return top;
    }

    void add(NioTimer t) {
        if (t.heapIndex >= 0) {
            update(t);
            return;
        }
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = t;
        t.heapIndex = size;
        size++;
        siftUp(t.heapIndex);
    }

    void remove(NioTimer t) {
        if (t.heapIndex >= 0) removeAt(t.heapIndex);
    }

    /** Restores order after t's deadline changed. */
    void update(NioTimer t) {
        int i = t.heapIndex;
        if (i < 0) {
            add(t);
            return;
        }
        siftUp(i);
        siftDown(t.heapIndex);
    }

    /** The earliest deadline among the timers active in {@code mode}; Long.MAX_VALUE when none. */
    long nextDeadline(Mode mode, long now) {
        if (size == 0) return Long.MAX_VALUE;
        NioTimer top = heap[0];
        if (top.activeIn(mode)) return top.deadline;
        long best = Long.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            NioTimer t = heap[i];
            if (t.activeIn(mode) && (best == Long.MAX_VALUE || t.deadline - best < 0)) best = t.deadline;
        }
        return best;
    }

    private void removeAt(int i) {
        NioTimer gone = heap[i];
        gone.heapIndex = -1;
        size--;
        if (i == size) {
            heap[size] = null;
            return;
        }
        NioTimer last = heap[size];
        heap[size] = null;
        heap[i] = last;
        last.heapIndex = i;
        siftUp(i);
        siftDown(last.heapIndex);
    }

    private void siftUp(int i) {
        NioTimer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            NioTimer p = heap[parent];
            if (t.deadline - p.deadline >= 0) break;
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        NioTimer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            NioTimer c = heap[child];
            int right = child + 1;
            if (right < size && heap[right].deadline - c.deadline < 0) {
                child = right;
                c = heap[child];
            }
            if (t.deadline - c.deadline <= 0) break;
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
