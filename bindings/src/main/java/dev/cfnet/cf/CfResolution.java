package dev.cfnet.cf;

import dev.cfnet.Host;
import dev.cfnet.ResolveError;
import dev.cfnet.ResolveResult;
import dev.cfnet.RunLoop;
import dev.cfnet.cf.ffi.CF;
import dev.cfnet.cf.ffi.CFHostClientContext;
import dev.cfnet.cf.ffi.CFStreamError;
import dev.cfnet.spi.Callbacks;
import dev.cfnet.spi.ScheduledSource;
import dev.cfnet.spi.ResolutionDriver;
import dev.cfnet.spi.ThreadedResolver;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Name resolution through CFHost scheduled on the loop where CFNetwork is there (macOS); elsewhere (a Linux
 * CoreFoundation has no CFNetwork) on worker threads, with the result handed to the loop through its source.
 * Address literals never reach a resolver.
 */
final class CfResolution extends ScheduledSource implements ResolutionDriver {
    private final CfLoop loop;
    private final Host.Resolution owner;
    private final String name;
    private final Consumer<ResolveResult> callback;
    private final Object lock = new Object();
    private volatile boolean pending = true;
    private MemorySegment host;        // CFHostRef, guarded by lock
    private volatile Future<?> work;

    CfResolution(CfLoop loop, Host.Resolution owner, String name, Consumer<ResolveResult> callback) {
        super(loop.sources);
        this.loop = loop;
        this.owner = owner;
        this.name = name;
        this.callback = callback;
    }

    @Override
    public void start() {
        register();
        if (!CfLibrary.hasCFHost() || Host.isIpv4Literal(name) || Host.isIpv6Literal(name)) {
            work = ThreadedResolver.submit(name, result -> loop.post(() -> deliver(result)));
            return;
        }
        synchronized (lock) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment cfName = CF.CFStringCreateWithCString(CF.kCFAllocatorDefault(),
                        a.allocateFrom(name, StandardCharsets.UTF_8), CF.kCFStringEncodingUTF8());
                host = MemorySegment.ofAddress(CF.CFHostCreateWithName(CF.kCFAllocatorDefault(), cfName).address());
                CF.CFRelease(cfName);
                MemorySegment ctx = CFHostClientContext.allocate(a);
                CFHostClientContext.version(ctx, 0);
                CFHostClientContext.info(ctx, Registry.add(this));
                CFHostClientContext.release(ctx, Upcalls.RELEASE);
                CF.CFHostSetClient(host, Upcalls.HOST, ctx);
                for (RunLoop.Mode m : modes()) CF.CFHostScheduleWithRunLoop(host, loop.rl, loop.modeString(m));
                MemorySegment error = CFStreamError.allocate(a);
                if (CF.CFHostStartInfoResolution(host, CF.kCFHostAddresses(), error) == 0) {
                    ResolveResult failed = new ResolveResult.Failed(name, errorOf(error));
                    loop.post(() -> deliver(failed));
                }
            }
        }
    }

    /** CFHost's client callout, through {@link Upcalls#HOST}; {@code error} is a CFStreamError's address or 0. */
    static void onHostCallback(long error, long info) {
        if (Registry.get(info) instanceof CfResolution r) r.resolved(error);
    }

    private void resolved(long error) {
        ResolveResult result;
        synchronized (lock) {
            if (host == null) return;
            MemorySegment e = error == 0 ? null
                    : MemorySegment.ofAddress(error).reinterpret(CFStreamError.layout().byteSize());
            if (e != null && CFStreamError.error(e) != 0) {
                result = new ResolveResult.Failed(name, errorOf(e));
            } else {
                result = addresses();
            }
        }
        deliver(result);
    }

    private ResolveResult addresses() {
        MemorySegment array = CF.CFHostGetAddressing(host, MemorySegment.NULL);
        List<InetAddress> out = new ArrayList<>();
        if (array.address() != 0) {
            long n = CF.CFArrayGetCount(array);
            for (long i = 0; i < n; i++) {
                MemorySegment d = CF.CFArrayGetValueAtIndex(array, i);
                long len = CF.CFDataGetLength(d);
                InetSocketAddress a = SockAddr.decode(Native.OS, CF.CFDataGetBytePtr(d).reinterpret(len), len);
                if (a != null && !out.contains(a.getAddress())) out.add(a.getAddress());
            }
        }
        if (out.isEmpty()) {
            return new ResolveResult.Failed(name, new ResolveError(ResolveError.Kind.NOT_FOUND, 0, "no addresses"));
        }
        return new ResolveResult.Resolved(name, out);
    }

    private static ResolveError errorOf(MemorySegment streamError) {
        long domain = CFStreamError.domain(streamError);
        int code = CFStreamError.error(streamError);
        if (domain == CF.kCFStreamErrorDomainNetDB()) {
            if (code == ThreadedResolver.eaiAgain()) {
                return new ResolveError(ResolveError.Kind.TEMPORARY_FAILURE, code, "temporary failure in name "
                        + "resolution");
            }
            if (code == ThreadedResolver.eaiNoName()) {
                return new ResolveError(ResolveError.Kind.NOT_FOUND, code, "no such host");
            }
        }
        return new ResolveError(ResolveError.Kind.OTHER, code, "CFHost error " + code + " in domain " + domain);
    }

    private void deliver(ResolveResult result) {
        loop.guard.enter(this);
        try {
            synchronized (this) {
                if (!pending) return;
                pending = false;
            }
            unregister();
            // Not from inside CFHost's own callback: the host may not outlive a release there.
            if (!loop.post(() -> releaseHost(false))) releaseHost(false);
            try {
                callback.accept(result);
            } catch (Throwable t) {
                Callbacks.failed(loop.owner, owner, t);
            }
        } finally {
            loop.guard.exit();
        }
    }

    private void releaseHost(boolean cancel) {
        MemorySegment h;
        synchronized (lock) {
            h = host;
            host = null;
        }
        if (h == null) return;
        if (cancel) CF.CFHostCancelInfoResolution(h, CF.kCFHostAddresses());
        CF.CFHostSetClient(h, MemorySegment.NULL, MemorySegment.NULL);
        for (RunLoop.Mode m : modes()) CF.CFHostUnscheduleFromRunLoop(h, loop.rl, loop.modeString(m));
        CF.CFRelease(h);
    }

    @Override
    public boolean isPending() {
        return pending;
    }

    @Override
    public boolean isValid() {
        return pending;
    }

    @Override
    public void cancel() {
        synchronized (this) {
            if (!pending) return;
            pending = false;
        }
        unregister();
        loop.guard.awaitNotDispatching(this, loop.inLoopThread());
        releaseHost(true);
        Future<?> w = work;
        if (w != null) w.cancel(false);
    }

    @Override
    public void invalidate() {
        cancel();
    }

    @Override
    public String toString() {
        return owner.toString();
    }
}
