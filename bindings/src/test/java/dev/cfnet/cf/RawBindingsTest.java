package dev.cfnet.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cfnet.Backend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The raw bindings used before anything loaded CoreFoundation, each case in a fresh JVM: they load it the way
 * Backend.CF does, or fail saying what to do, and functions not called yet work once the library is named.
 */
class RawBindingsTest {

    static String library() {
        assumeTrue(Backend.CF.isAvailable(), () -> "CF backend skipped: " + Backend.CF.unavailableReason().orElse(""));
        String lib = System.getProperty(CfLibrary.PROPERTY, "");
        assumeTrue(!lib.isBlank(), "CoreFoundation loads from the OS's frameworks here: nothing to name");
        return lib;
    }

    static List<String> probe(String property, String arg) throws IOException, InterruptedException {
        return probe(property, RawBindingsProbe.class.getName(), arg);
    }

    /** Runs {@code mainClass} in a JVM of its own on this test's class path; its output lines. */
    static List<String> probe(String property, String mainClass, String arg) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        if (property != null) cmd.add("-D" + CfLibrary.PROPERTY + "=" + property);
        cmd.addAll(List.of(mainClass, arg));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe ended");
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    @Test
    void aFirstRawCallLoadsCoreFoundationAsBackendCfWould() throws Exception {
        List<String> out = probe(library(), "-");
        assertEquals(List.of("first call ok: true"), out);
    }

    @Test
    void withoutALibraryTheCallSaysWhatToDoAndLaterCallsWorkOnceItIsNamed() throws Exception {
        List<String> out = probe(null, library());
        String threw = String.join("\n", out);
        assertTrue(threw.contains("UnsatisfiedLinkError") && threw.contains("-Dcfnet.cf.library")
                && threw.contains("Backend.CF.isAvailable()"), threw);
        assertTrue(out.contains("available now: true"), threw);
        assertTrue(out.contains("another call ok: true"), threw);
    }
}
