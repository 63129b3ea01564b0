package dev.cfnet.cf;

import dev.cfnet.Host;
import dev.cfnet.ResolveError;
import dev.cfnet.ResolveResult;
import dev.cfnet.RunLoop;
import dev.cfnet.cf.ffi.CF;
import dev.cfnet.cf.ffi.CFHostClientContext;
import dev.cfnet.cf.ffi.CFStreamError;
import dev.cfnet.posix.Constant;
import dev.cfnet.posix.Libc;
import dev.cfnet.posix.SockAddr;
import dev.cfnet.spi.ResolutionCore;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Name resolution through CFHost scheduled on the loop where CFNetwork is there (macOS); elsewhere (a Linux
 * CoreFoundation has no CFNetwork) on worker threads, with the result handed to the loop through its source.
 * Address literals never reach a resolver.
 */
final class CfResolution extends ResolutionCore {
    private final CfLoop cfLoop;
    private final Object lock = new Object();
    private MemorySegment host;        // CFHostRef, guarded by lock

    CfResolution(CfLoop loop, Host.Resolution owner, String name, Consumer<ResolveResult> callback) {
        super(loop, owner, name, callback);
        this.cfLoop = loop;
    }

    @Override
    protected void begin() {
        if (!CfLibrary.hasCFHost() || Host.isIpv4Literal(name) || Host.isIpv6Literal(name)) {
            resolveOnWorkers();
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
                for (RunLoop.Mode m : modes()) {
                    CF.CFHostScheduleWithRunLoop(host, cfLoop.cfRunLoop, cfLoop.modeString(m));
                }
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
            result = e != null && CFStreamError.error(e) != 0
                    ? new ResolveResult.Failed(name, errorOf(e)) : addresses();
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
                InetSocketAddress a = SockAddr.decode(Libc.OS, CF.CFDataGetBytePtr(d).reinterpret(len), len);
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
            if (code == Constant.EAI_AGAIN.value()) {
                return new ResolveError(ResolveError.Kind.TEMPORARY_FAILURE, code, "temporary failure in name "
                        + "resolution");
            }
            if (code == Constant.EAI_NONAME.value()) {
                return new ResolveError(ResolveError.Kind.NOT_FOUND, code, "no such host");
            }
        }
        return new ResolveError(ResolveError.Kind.OTHER, code, "CFHost error " + code + " in domain " + domain);
    }

    @Override
    protected void released(boolean cancelled) {
        super.released(cancelled);
        // Not from inside CFHost's own callback: the host may not outlive a release there.
        if (cancelled || !loop.post(() -> releaseHost(false))) releaseHost(cancelled);
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
        for (RunLoop.Mode m : modes()) CF.CFHostUnscheduleFromRunLoop(h, cfLoop.cfRunLoop, cfLoop.modeString(m));
        CF.CFRelease(h);
    }
}
