package dev.cfnet.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cfnet.Backend;
import dev.cfnet.RunLoop;
import dev.cfnet.posix.Os;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the CF backend explains that it cannot load, and where it looks. */
class CfLibraryTest {

    @Test
    void withoutALibraryOffMacOsItSaysWhatToPass() {
        String why = CfLibrary.load("", Os.LINUX);
        assertTrue(why.contains("-Dcfnet.cf.library="), why);
    }

    @Test
    void missingAndRelativePathsAreNamed() {
        String missing = CfLibrary.load("/nonexistent/libCoreFoundation.so", Os.LINUX);
        assertTrue(missing.contains("/nonexistent/libCoreFoundation.so") && missing.contains("does not exist"), missing);
        String relative = CfLibrary.load("libCoreFoundation.so", Os.LINUX);
        assertTrue(relative.contains("absolute"), relative);
    }

    @Test
    void aLibraryThatIsNotCoreFoundationIsRefusedBySymbol() throws Exception {
        Path libm = List.of(Path.of("/lib/x86_64-linux-gnu/libm.so.6"), Path.of("/usr/lib/x86_64-linux-gnu/libm.so.6"),
                Path.of("/lib/aarch64-linux-gnu/libm.so.6")).stream().filter(Files::exists).findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(libm != null, "no libm at a known path");
        String why = CfLibrary.load(libm.toString(), Os.LINUX);
        assertTrue(why.contains("not a usable CoreFoundation") && why.contains("CFRunLoopGetCurrent"), why);
    }

    @Test
    void aFileThatIsNotALibraryIsReportedWithTheLoadersWords() throws Exception {
        // An executable (this JVM's launcher), not an empty file: HotSpot warns on the console about any file whose
        // ELF headers do not declare a non-executable stack before it even tries to load it.
        Path notLib = Files.createTempFile("not-a-library", ".so");
        java.util.Optional<String> launcher = ProcessHandle.current().info().command();
        if (launcher.isPresent()) {
            Files.copy(Path.of(launcher.get()), notLib, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try {
            String why = CfLibrary.load(notLib.toString(), Os.LINUX);
            assertTrue(why.startsWith("cannot load '" + notLib + "'"), why);
        } finally {
            Files.delete(notLib);
        }
    }

    @Test
    void macOsLoadsCoreFoundationAndCfNetworkFromTheirFrameworks() {
        assertEquals(List.of(CfLibrary.MAC_CORE_FOUNDATION, CfLibrary.MAC_CFNETWORK), CfLibrary.candidates("", Os.MACOS));
        assertEquals(List.of("/a/libCF.so", "/b/libX.so"),
                CfLibrary.candidates("/a/libCF.so" + java.io.File.pathSeparator + " /b/libX.so ", Os.LINUX));
    }

    @Test
    void unavailableCfSaysWhyEverywhereItIsAskedFor() {
        if (Backend.CF.isAvailable()) return;
        String why = Backend.CF.unavailableReason().orElseThrow();
        IllegalStateException start = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> RunLoop.start("x", Backend.CF));
        assertTrue(start.getMessage().contains(why), start.getMessage());
        IllegalStateException main = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                dev.cfnet.corefoundation.CoreFoundation::mainRunLoop);
        assertTrue(main.getMessage().contains("CF backend is not available"), main.getMessage());
    }
}
