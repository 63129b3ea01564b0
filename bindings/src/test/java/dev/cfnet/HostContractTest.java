package dev.cfnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Host: asynchronous resolution through the loop, literals, failures, cancel, the future form. */
class HostContractTest extends BackendTestBase {

    ResolveResult resolve(String name) throws Exception {
        CompletableFuture<ResolveResult> f = new CompletableFuture<>();
        CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
        Host.resolve(loop, name, r -> {
            onLoop.complete(loop.inLoopThread());
            f.complete(r);
        });
        ResolveResult r = f.get(10, TimeUnit.SECONDS);
        assertTrue(onLoop.get(), "the result is delivered on the loop thread");
        return r;
    }

    @Test
    void localhostResolvesToLoopback() throws Exception {
        ResolveResult.Resolved r = assertInstanceOf(ResolveResult.Resolved.class, resolve("localhost"));
        assertEquals("localhost", r.name());
        assertTrue(r.addresses().stream().allMatch(InetAddress::isLoopbackAddress), r.addresses().toString());
    }

    @Test
    void allAddressesComeBackIpv6AndIpv4InOrder() throws Exception {
        ResolveResult.Resolved r = assertInstanceOf(ResolveResult.Resolved.class, resolve("dual.test"));
        assertEquals(List.of(InetAddress.getByName("::1"), InetAddress.getByName("127.0.0.1")), r.addresses());
    }

    @Test
    void literalsResolveToThemselves() throws Exception {
        assertEquals(List.of(InetAddress.getByName("127.0.0.1")),
                ((ResolveResult.Resolved) resolve("127.0.0.1")).addresses());
        assertEquals(List.of(InetAddress.getByName("::1")), ((ResolveResult.Resolved) resolve("::1")).addresses());
        assertEquals(List.of(InetAddress.getByName("::1")), ((ResolveResult.Resolved) resolve("[::1]")).addresses());
    }

    @Test
    void unknownNamesFailWithNotFound() throws Exception {
        ResolveResult.Failed f = assertInstanceOf(ResolveResult.Failed.class, resolve("nonexistent.test"));
        assertEquals(ResolveError.Kind.NOT_FOUND, f.error().kind());
        assertEquals("nonexistent.test", f.name());
        assertFalse(f.error().message().contains("nonexistent.test"), "the result names the name, the error does "
                + "not repeat it: " + f.error());
        ResolveResult.Failed again = assertInstanceOf(ResolveResult.Failed.class, resolve("again.test"));
        assertEquals(ResolveError.Kind.TEMPORARY_FAILURE, again.error().kind());
    }

    @Test
    void aRepeatedTemporaryFailureStaysTemporary() throws Exception {
        // The JDK answers the repeat from its negative cache, without the resolver's reason.
        String name = "again-repeat-" + backend.name().toLowerCase(java.util.Locale.ROOT) + ".test";
        for (int i = 0; i < 3; i++) {
            ResolveResult.Failed f = assertInstanceOf(ResolveResult.Failed.class, resolve(name));
            assertEquals(ResolveError.Kind.TEMPORARY_FAILURE, f.error().kind(), "lookup " + i + ": " + f.error());
        }
        ResolveResult.Failed missing = assertInstanceOf(ResolveResult.Failed.class, resolve("missing-repeat.test"));
        assertEquals(ResolveError.Kind.NOT_FOUND, missing.error().kind());
        missing = assertInstanceOf(ResolveResult.Failed.class, resolve("missing-repeat.test"));
        assertEquals(ResolveError.Kind.NOT_FOUND, missing.error().kind(), "a cached 'not found' stays not found");
        assertFalse(missing.error().message().contains("missing-repeat.test"), missing.error().toString());
    }

    @Test
    void theFutureFormCompletesOrFailsWithUnknownHost() throws Exception {
        assertEquals(List.of(InetAddress.getByName("127.0.0.1")),
                Host.resolveAsync(loop, "v4.test").get(10, TimeUnit.SECONDS));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> Host.resolveAsync(loop, "nonexistent.test").get(10, TimeUnit.SECONDS));
        assertInstanceOf(UnknownHostException.class, e.getCause());
        String m = e.getCause().getMessage();
        assertTrue(m.startsWith("nonexistent.test: ") && m.contains("NOT_FOUND"), m);
        assertEquals(m.indexOf("nonexistent.test"), m.lastIndexOf("nonexistent.test"), "the name once: " + m);
    }

    @Test
    void cancelMeansNoCallback() throws Exception {
        TestResolverProvider.slowGate = new CountDownLatch(1);
        try {
            CompletableFuture<ResolveResult> got = new CompletableFuture<>();
            Host.Resolution r = Host.resolve(loop, "slow-" + System.nanoTime() + ".test", got::complete);
            assertTrue(r.isPending());
            assertEquals(1, loop.sourceCount(), "a pending resolution is a source of its loop");
            r.cancel();
            assertFalse(r.isPending());
            assertEquals(0, loop.sourceCount());
            TestResolverProvider.slowGate.countDown();
            Thread.sleep(300);
            assertFalse(got.isDone(), "callback after cancel: " + got);
            r.cancel();
        } finally {
            TestResolverProvider.slowGate.countDown();
        }
    }

    @Test
    void cancellingTheFutureCancelsTheResolution() throws Exception {
        TestResolverProvider.slowGate = new CountDownLatch(1);
        try {
            CompletableFuture<List<InetAddress>> f = Host.resolveAsync(loop, "slow-" + System.nanoTime() + ".test");
            assertEquals(1, loop.sourceCount());
            f.cancel(false);
            assertEquals(0, loop.sourceCount());
        } finally {
            TestResolverProvider.slowGate.countDown();
        }
    }

    @Test
    void aPendingResolutionKeepsRunFromFinishing() throws Exception {
        CompletableFuture<Object[]> out = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            RunLoop own = RunLoop.current(backend);
            try {
                CompletableFuture<ResolveResult> got = new CompletableFuture<>();
                Host.resolve(own, "dual.test", got::complete);
                RunLoop.Result result = own.run();
                out.complete(new Object[] {result, got.isDone()});
            } catch (Throwable t) {
                out.completeExceptionally(t);
            } finally {
                own.close();
            }
        });
        Object[] r = out.get(10, TimeUnit.SECONDS);
        assertEquals(RunLoop.Result.FINISHED, r[0]);
        assertEquals(true, r[1], "run() returned before the resolution was delivered");
    }

    @Test
    void badNamesAreRefusedWithTheReason() {
        assertThrows(NullPointerException.class, () -> Host.resolve(loop, null, r -> { }));
        for (String bad : new String[] {"", "  ", "a b", "a..b", "x".repeat(64) + ".com", "a/b", "host:25",
            "[not-v6]", "tab\there", "a".repeat(254)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Host.resolve(loop, bad, r -> { }), bad);
            assertFalse(e.getMessage().isBlank());
        }
        assertEquals("xn--bcher-kva.example", Host.checkName("bücher.example"));
        assertEquals("::1", Host.checkName("[::1]"));
        assertEquals("mail.example.org", Host.checkName("mail.example.org."));
        assertEquals(0, loop.sourceCount());
    }

    @Test
    void aThrowingResultCallbackGoesToTheHandler() throws Exception {
        CompletableFuture<Throwable> seen = new CompletableFuture<>();
        loop.setErrorHandler((l, s, e) -> seen.complete(e));
        Host.resolve(loop, "v4.test", r -> { throw new IllegalStateException("resolver callback"); });
        assertEquals("resolver callback", seen.get(10, TimeUnit.SECONDS).getMessage());
        assertEquals(3, loop.submit(() -> 3).get(5, TimeUnit.SECONDS));
    }
}
