package dev.cfnet.cf;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Maps the {@code info} pointers CF hands back to Java objects. The pointer is an integer id, never an address of
 * Java memory, so a late or stray callback finds nothing instead of corrupting anything.
 *
 * <p>An id is a slot index in its low 32 bits and the slot's generation in the high ones: a slot is reused, its
 * old ids are not. Lookups, one per CF callout, read a slot without locking or boxing.
 */
final class Registry {
    private static final int PAGE_BITS = 12;
    private static final int PAGE = 1 << PAGE_BITS;

    private record Entry(int generation, Object value) {
    }

    private static volatile AtomicReferenceArray<Entry>[] pages = newPages(1);
    private static final ArrayDeque<Integer> FREE = new ArrayDeque<>();
    private static int[] generations = new int[PAGE];
    private static int next;       // slots handed out so far
    private static int live;

    private Registry() {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})   // no generic array creation in Java
    private static AtomicReferenceArray<Entry>[] newPages(int n) {
        AtomicReferenceArray<Entry>[] p = new AtomicReferenceArray[n];
        for (int i = 0; i < n; i++) p[i] = new AtomicReferenceArray<>(PAGE);
        return p;
    }

    /** Registers {@code o}; the returned segment is its info pointer. */
    static synchronized MemorySegment add(Object o) {
        int slot;
        if (!FREE.isEmpty()) {
            slot = FREE.pop();
        } else {
            slot = next++;
            if (slot >= pages.length * PAGE) {
                AtomicReferenceArray<Entry>[] grown = java.util.Arrays.copyOf(pages, pages.length * 2);
                for (int i = pages.length; i < grown.length; i++) grown[i] = new AtomicReferenceArray<>(PAGE);
                generations = java.util.Arrays.copyOf(generations, grown.length * PAGE);
                pages = grown;
            }
        }
        int gen = ++generations[slot];
        pages[slot >>> PAGE_BITS].setRelease(slot & (PAGE - 1), new Entry(gen, o));
        live++;
        // Slot 0 generation 1 would be id 1 << 32; never 0, which is NULL.
        return MemorySegment.ofAddress(((long) gen << 32) | slot);
    }

    static Object get(MemorySegment info) {
        return info == null ? null : get(info.address());
    }

    /** The object registered under an info pointer CF handed back; null for a stale or unknown one. */
    static Object get(long id) {
        int slot = (int) id;
        int gen = (int) (id >>> 32);
        AtomicReferenceArray<Entry>[] p = pages;
        int page = slot >>> PAGE_BITS;
        if (slot < 0 || page >= p.length || gen == 0) return null;
        Entry e = p[page].getAcquire(slot & (PAGE - 1));
        return e != null && e.generation == gen ? e.value : null;
    }

    static Object remove(MemorySegment info) {
        return info == null ? null : remove(info.address());
    }

    static synchronized Object remove(long id) {
        int slot = (int) id;
        int gen = (int) (id >>> 32);
        int page = slot >>> PAGE_BITS;
        if (slot < 0 || page >= pages.length || gen == 0) return null;
        AtomicReferenceArray<Entry> p = pages[page];
        Entry e = p.get(slot & (PAGE - 1));
        if (e == null || e.generation != gen) return null;
        p.setRelease(slot & (PAGE - 1), null);
        FREE.push(slot);
        live--;
        return e.value;
    }

    /** Objects whose CF owner has not released them yet. */
    static synchronized int size() {
        return live;
    }
}
