package dev.cfnet.posix;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The memory of a direct buffer as a segment, remembered for the last buffer a socket sent from: senders reuse
 * their buffers (the echo of a DATA event sends the loop's own view), so the steady state makes no MemorySegment
 * per send. The segment keeps the buffer's scope, so a downcall still checks that its memory is alive. Any thread:
 * the cached pair is immutable.
 */
public final class BufferSegment {
    private record Whole(ByteBuffer buffer, MemorySegment segment) {
    }

    private Whole last;

    /** {@code direct}'s bytes from its position on; the buffer must be direct. */
    public MemorySegment of(ByteBuffer direct) {
        Whole w = last;
        if (w == null || w.buffer != direct) {
            w = new Whole(direct, MemorySegment.ofBuffer(direct.duplicate().clear()));
            last = w;
        }
        int at = direct.position();
        return at == 0 ? w.segment : w.segment.asSlice(at);
    }

    /** Forgets the buffer, so that the socket does not keep it alive. */
    public void clear() {
        last = null;
    }
}
