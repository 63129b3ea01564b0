package dev.cfnet.spi;

import dev.cfnet.RunLoop.Mode;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loop's sources and its modes: which sources are valid, how many run in each mode (so that a run can finish
 * when its mode empties, as CF's does), and which modes are common. Thread-safe.
 */
public final class SourceSet {
    private final Set<Mode> commonModes = new CopyOnWriteArraySet<>(List.of(Mode.DEFAULT));
    private final ConcurrentHashMap<Mode, AtomicInteger> modeCounts = new ConcurrentHashMap<>();
    private final Set<ScheduledSource> sources = ConcurrentHashMap.newKeySet();
    private volatile Runnable onRemoved = () -> { };

    /** Runs {@code r} after each removal (on the removing thread). */
    public void onRemoved(Runnable r) {
        onRemoved = r;
    }

    public boolean isCommonMode(Mode m) {
        return commonModes.contains(m);
    }

    /** Returns true when the mode was not common before. */
    public boolean addCommonMode(Mode m) {
        return commonModes.add(m);
    }

    /** Sources that run in {@code m}, counting COMMON ones when {@code m} is a common mode. */
    public int activeCount(Mode m) {
        AtomicInteger c = modeCounts.get(m);
        int n = c == null ? 0 : c.get();
        if (commonModes.contains(m)) {
            AtomicInteger common = modeCounts.get(Mode.COMMON);
            n += common == null ? 0 : common.get();
        }
        return n;
    }

    public int size() {
        return sources.size();
    }

    /** The valid sources now. */
    public List<ScheduledSource> snapshot() {
        return List.copyOf(sources);
    }

    void added(ScheduledSource s, Set<Mode> modes) {
        sources.add(s);
        for (Mode m : modes) countMode(m, 1);
    }

    void removed(ScheduledSource s, Set<Mode> modes) {
        sources.remove(s);
        for (Mode m : modes) countMode(m, -1);
    }

    void countMode(Mode m, int delta) {
        modeCounts.computeIfAbsent(m, k -> new AtomicInteger()).addAndGet(delta);
        if (delta < 0) onRemoved.run();
    }
}
