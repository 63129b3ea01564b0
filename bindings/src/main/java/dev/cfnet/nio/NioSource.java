package dev.cfnet.nio;

import dev.cfnet.RunLoop.Mode;
import java.util.HashSet;
import java.util.Set;

/** What NIO sockets, timers and resolutions share: their loop, their modes, their registration. */
abstract class NioSource {
    private static final Set<Mode> DEFAULT_ONLY = Set.of(Mode.DEFAULT);

    final NioLoop loop;
    private volatile Set<Mode> modes = DEFAULT_ONLY;
    private boolean registered;

    NioSource(NioLoop loop) {
        this.loop = loop;
    }

    /** True when the source runs in {@code mode}. */
    final boolean activeIn(Mode mode) {
        Set<Mode> ms = modes;
        if (ms == DEFAULT_ONLY) {
            return mode == Mode.DEFAULT || mode.equals(Mode.DEFAULT);
        }
        return ms.contains(mode) || (ms.contains(Mode.COMMON) && loop.isCommonMode(mode));
    }

    final synchronized void register() {
        if (registered) return;
        registered = true;
        loop.sourceAdded(this, modes);
    }

    /** Returns false when it was not registered (already unregistered). */
    final synchronized boolean unregister() {
        if (!registered) return false;
        registered = false;
        loop.sourceRemoved(this, modes);
        return true;
    }

    final void addSourceMode(Mode mode) {
        synchronized (this) {
            if (modes.contains(mode)) return;
            Set<Mode> next = new HashSet<>(modes);
            next.add(mode);
            modes = Set.copyOf(next);
            if (registered) loop.countMode(mode, 1);
        }
        modesChanged();
    }

    final void removeSourceMode(Mode mode) {
        synchronized (this) {
            if (!modes.contains(mode)) return;
            Set<Mode> next = new HashSet<>(modes);
            next.remove(mode);
            modes = next.equals(DEFAULT_ONLY) ? DEFAULT_ONLY : Set.copyOf(next);
            if (registered) loop.countMode(mode, -1);
        }
        modesChanged();
    }

    /** Called after the modes changed; sockets recompute their interest. */
    void modesChanged() {
    }

    /** Invalidation from {@link NioLoop#close()}. */
    abstract void invalidate();
}
