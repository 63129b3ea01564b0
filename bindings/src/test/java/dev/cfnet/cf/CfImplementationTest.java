package dev.cfnet.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cfnet.Backend;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Which CoreFoundation loaded decides the workarounds, and nothing else does. */
class CfImplementationTest {

    static SymbolLookup only(String... symbols) {
        Set<String> names = Set.of(symbols);
        return name -> names.contains(name) ? Optional.of(MemorySegment.ofAddress(1)) : Optional.empty();
    }

    @Test
    void appleIsTheLibraryWithTimerTolerance() {
        assertEquals(CfImplementation.APPLE, CfImplementation.identify(only("CFRunLoopTimerSetTolerance", "CFSocketCreate")));
        assertEquals(CfImplementation.OPENCFLITE, CfImplementation.identify(only("CFSocketCreate")));
    }

    @Test
    void applesCfGetsNoneOfOpenCfLitesWorkarounds() {
        CfImplementation apple = CfImplementation.APPLE;
        assertEquals(0.0, apple.minTimerLeadSeconds());
        assertFalse(apple.nudgesDueTimers(), "timer nudges and watchdog");
        assertFalse(apple.wakesIdleTimeouts(), "alarm for idle timeouts");
        assertFalse(apple.peeksEmptyReads(), "peek before trusting an empty read");
        CfImplementation lite = CfImplementation.OPENCFLITE;
        assertTrue(lite.minTimerLeadSeconds() > 0 && lite.nudgesDueTimers() && lite.wakesIdleTimeouts()
                && lite.peeksEmptyReads(), "OpenCFLite gets each of them");
    }

    @Test
    void theVersionNumberIsReadWhereTheLibraryExportsIt() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_DOUBLE);
            v.set(ValueLayout.JAVA_DOUBLE, 0, 635.21);
            SymbolLookup lite = name -> name.equals("kCFCoreFoundationVersionNumber") ? Optional.of(v) : Optional.empty();
            assertEquals("OpenCFLite 635.21", CfImplementation.OPENCFLITE.describe(CfImplementation.versionNumber(lite)));
            assertEquals("Apple CoreFoundation",
                    CfImplementation.APPLE.describe(CfImplementation.versionNumber(only())));
        }
    }

    @Test
    void theLoadedCoreFoundationIsIdentifiedAndReported() {
        assumeTrue(Backend.CF.isAvailable(), () -> "CF backend skipped: " + Backend.CF.unavailableReason().orElse(""));
        assertEquals(CfImplementation.identify(SymbolLookup.loaderLookup()), CfLibrary.implementation());
        String description = Backend.CF.implementation().orElseThrow();
        assertTrue(description.startsWith(CfLibrary.implementation().product()), description);
        assertTrue(description.contains(CfLibrary.loaded().getFirst()), description);
    }

    /**
     * The glue decides CF behaviour by {@link CfImplementation} only: OS tests stay in the files that encode OS facts
     * (libc constants, sockaddr layout, where the frameworks live).
     */
    @Test
    void noOsTestDecidesACoreFoundationBehaviourOutsideTheSeam() throws IOException {
        Path dir = Path.of("src/main/java/dev/cfnet/cf");
        assumeTrue(Files.isDirectory(dir), "sources not found from " + Path.of("").toAbsolutePath());
        Set<String> osFacts = Set.of("CfLibrary.java");   // where the frameworks live; libc facts are in dev.cfnet.posix
        Pattern osTest = Pattern.compile("Os\\.current\\(\\)|Os\\.MACOS|Os\\.LINUX|Native\\.MAC|\\bMAC\\b|os\\.name");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                if (osFacts.contains(f.getFileName().toString())) continue;
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (osTest.matcher(lines.get(i)).find()) found.add(f.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
                }
            }
        }
        assertEquals(List.of(), found);
    }
}
