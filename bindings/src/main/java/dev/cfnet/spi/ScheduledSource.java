package dev.cfnet.spi;

import dev.cfnet.RunLoop.Mode;
import java.util.HashSet;
import java.util.Set;

/** What every backend's socket, timer and resolution share: modes, and membership in the loop's source set. */
public abstract class ScheduledSource {
    private static final Set<Mode> DEFAULT_ONLY = Set.of(Mode.DEFAULT);

    private final SourceSet set;
    private volatile Set<Mode> modes = DEFAULT_ONLY;
    private boolean registered;

    protected ScheduledSource(SourceSet set) {
        this.set = set;
    }

    /** True when the source runs in {@code mode}. */
    public final boolean activeIn(Mode mode) {
        Set<Mode> ms = modes;
        if (ms == DEFAULT_ONLY) {
            return mode == Mode.DEFAULT || mode.equals(Mode.DEFAULT);
        }
        return ms.contains(mode) || (ms.contains(Mode.COMMON) && set.isCommonMode(mode));
    }

    /** The modes the source is scheduled in. */
    public final Set<Mode> modes() {
        return modes;
    }

    /** Counts the source in its loop; idempotent. */
    protected final synchronized void register() {
        if (registered) return;
        registered = true;
        set.added(this, modes);
    }

    /** Removes the source from its loop's count; false when it was not counted (any more). */
    protected final synchronized boolean unregister() {
        if (!registered) return false;
        registered = false;
        set.removed(this, modes);
        return true;
    }

    protected final void addSourceMode(Mode mode) {
        synchronized (this) {
            if (modes.contains(mode)) return;
            Set<Mode> next = new HashSet<>(modes);
            next.add(mode);
            modes = Set.copyOf(next);
            if (registered) set.countMode(mode, 1);
        }
        modeAdded(mode);
    }

    protected final void removeSourceMode(Mode mode) {
        synchronized (this) {
            if (!modes.contains(mode)) return;
            Set<Mode> next = new HashSet<>(modes);
            next.remove(mode);
            modes = next.equals(DEFAULT_ONLY) ? DEFAULT_ONLY : Set.copyOf(next);
            if (registered) set.countMode(mode, -1);
        }
        modeRemoved(mode);
    }

    /** After a mode was added; backends schedule the source there. */
    protected void modeAdded(Mode mode) {
    }

    /** After a mode was removed; backends unschedule the source there. */
    protected void modeRemoved(Mode mode) {
    }

    /** Invalidation, e.g. when the loop closes. */
    public abstract void invalidate();

    /** True until invalidated. */
    public abstract boolean isValid();

    /** Also schedules the source in {@code mode}; nothing once invalid. */
    public void addMode(Mode mode) {
        if (isValid()) addSourceMode(mode);
    }

    /** Unschedules the source from {@code mode}; nothing once invalid. */
    public void removeMode(Mode mode) {
        if (isValid()) removeSourceMode(mode);
    }
}
