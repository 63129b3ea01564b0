package dev.cfnet.cf;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Maps the {@code info} pointers CF hands back to Java objects. The pointer is an integer id, never an address of
 * Java memory, so a late or stray callback finds nothing instead of corrupting anything.
 */
final class Registry {
    private static final AtomicLong NEXT = new AtomicLong(1);
    private static final ConcurrentHashMap<Long, Object> OBJECTS = new ConcurrentHashMap<>();

    private Registry() {
    }

    /** Registers {@code o}; the returned segment is its info pointer. */
    static MemorySegment add(Object o) {
        long id = NEXT.getAndIncrement();
        OBJECTS.put(id, o);
        return MemorySegment.ofAddress(id);
    }

    static Object get(MemorySegment info) {
        return info == null ? null : OBJECTS.get(info.address());
    }

    static Object remove(MemorySegment info) {
        return info == null ? null : OBJECTS.remove(info.address());
    }

    /** Objects whose CF owner has not released them yet. */
    static int size() {
        return OBJECTS.size();
    }
}
