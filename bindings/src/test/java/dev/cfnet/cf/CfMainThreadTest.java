package dev.cfnet.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cfnet.Backend;
import dev.cfnet.RunLoop;
import dev.cfnet.cf.ffi.CF;
import dev.cfnet.reliability.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * CoreFoundation's main thread: CF takes the thread that initialized it for the main thread, for good. When that was
 * a thread that then ended, the main run loop (a kqueue: 3 or 4 descriptors) was freed and made again as later
 * threads reused the dead thread's id, so descriptor counts rose and fell between identical loop lifetimes.
 * In a JVM of its own, since CF loads once per process.
 */
class CfMainThreadTest {

    @Test
    void loadedFromAThreadThatEndsLoopLifetimesStillLeaveTheSameDescriptors() throws Exception {
        String lib = RawBindingsTest.library();
        List<String> out = RawBindingsTest.probe(lib, Probe.class.getName(), "-");
        assertTrue(out.contains("cfnet-cf-main alive: true"), String.join("\n", out));
        assertTrue(out.contains("main run loop: true"), String.join("\n", out));
        List<Long> counts = out.stream().filter(l -> l.startsWith("descriptors: "))
                .map(l -> Long.parseLong(l.substring("descriptors: ".length()))).toList();
        assertEquals(8, counts.size(), String.join("\n", out));
        for (long c : counts) assertEquals(counts.get(0), c, () -> "descriptors after each loop's end: " + counts);
    }

    /** The child JVM: loads CF on a thread that ends at once, then starts and closes loops. */
    public static final class Probe {
        private Probe() {
        }

        public static void main(String[] args) throws Exception {
            Thread loader = Thread.ofPlatform().start(Backend.CF::isAvailable);
            loader.join();
            boolean alive = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("cfnet-cf-main") && t.isAlive());
            System.out.println("cfnet-cf-main alive: " + alive);
            System.out.println("main run loop: " + (CF.CFRunLoopGetMain().address() != 0));
            List<Long> counts = new ArrayList<>();
            for (int round = 0; round < 8; round++) {
                try (RunLoop loop = RunLoop.start("round-" + round, Backend.CF)) {
                    loop.submit(() -> null).get(10, TimeUnit.SECONDS);
                }
                System.out.println("descriptors: " + Resources.stableFds());
            }
        }
    }
}
