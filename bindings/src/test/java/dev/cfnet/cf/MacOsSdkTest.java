package dev.cfnet.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every symbol the CF backend looks up on macOS exists there, for both architectures: the bindings' functions and
 * variables (native/jextract.args), the glue's own lookups, and the libc calls. Reads the text stubs of a macOS SDK
 * given with {@code -Dcfnet.macos.sdk=/path/MacOSX.sdk} ({@code make check-macos-sdk MACOS_SDK=...}); skips
 * without one.
 */
class MacOsSdkTest {
    static final List<String> TARGETS = List.of("x86_64-macos", "arm64-macos");

    static Path sdk() {
        String p = System.getProperty("cfnet.macos.sdk", "").strip();
        assumeTrue(!p.isEmpty(), "no macOS SDK given (MACOS_SDK=/path/to/MacOSX.sdk on make test, test-cf or "
                + "check-macos-sdk)");
        Path sdk = Path.of(p);
        assumeTrue(Files.isDirectory(sdk.resolve("System/Library/Frameworks")), sdk + " is not a macOS SDK");
        return sdk;
    }

    /** The functions and variables the bindings are generated for. */
    static List<String> boundSymbols() throws IOException {
        List<String> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of("../native/jextract.args"));
        for (int i = 0; i + 1 < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.equals("--include-function") || l.equals("--include-var")) out.add(lines.get(i + 1).strip());
            if (l.startsWith("--include-function ") || l.startsWith("--include-var ")) {
                out.add(l.substring(l.indexOf(' ') + 1).strip());
            }
        }
        return out;
    }

    @Test
    void theTextStubReaderFindsSymbolsPerTarget() throws IOException {
        Path f = Files.createTempFile("stub", ".tbd");
        try {
            Files.writeString(f, """
                    --- !tapi-tbd
                    tbd-version:     4
                    targets:         [ x86_64-macos, arm64-macos ]
                    install-name:    '/x'
                    exports:
                      - targets:         [ x86_64-macos ]
                        symbols:         [ '$ld$hide$os10.9$_A', _OnlyIntel ]
                      - targets:         [ x86_64-macos, arm64-macos ]
                        symbols:         [ _CFRelease, _CFRetain,
                                           _kCFRunLoopDefaultMode ]
                        objc-classes:    [ NSThing ]
                    ...
                    """);
            Map<String, Set<String>> e = Tbd.exports(f);
            assertEquals(Set.of("_CFRelease", "_CFRetain", "_kCFRunLoopDefaultMode"), e.get("arm64-macos"));
            assertTrue(e.get("x86_64-macos").containsAll(Set.of("_OnlyIntel", "_CFRelease", "$ld$hide$os10.9$_A")));
            assertFalse(e.get("x86_64-macos").contains("NSThing"));
        } finally {
            Files.delete(f);
        }
    }

    @Test
    void everySymbolTheCfBackendUsesIsExportedForBothArchitectures() throws IOException {
        Path sdk = sdk();
        Map<String, Set<String>> frameworks = new HashMap<>();
        for (String fw : List.of("CoreFoundation", "CFNetwork")) {
            merge(frameworks, Tbd.exports(sdk.resolve("System/Library/Frameworks/" + fw + ".framework/" + fw + ".tbd")));
        }
        Map<String, Set<String>> libSystem = new HashMap<>();
        try (Stream<Path> stubs = Files.list(sdk.resolve("usr/lib/system"))) {
            for (Path p : stubs.filter(x -> x.toString().endsWith(".tbd")).toList()) merge(libSystem, Tbd.exports(p));
        }
        Set<String> cf = new LinkedHashSet<>(boundSymbols());
        cf.addAll(CfLibrary.symbolsLookedUp());
        assertTrue(cf.size() > 50, "read the bindings' symbols: " + cf.size());
        List<String> missing = new ArrayList<>();
        for (String target : TARGETS) {
            for (String s : cf) {
                if (!frameworks.getOrDefault(target, Set.of()).contains("_" + s)) missing.add(target + ": " + s);
            }
            for (String s : dev.cfnet.posix.Libc.LIBC_SYMBOLS) {
                if (!libSystem.getOrDefault(target, Set.of()).contains("_" + s)) missing.add(target + ": libc " + s);
            }
        }
        assertEquals(List.of(), missing, "symbols missing from " + sdk);
    }

    private static void merge(Map<String, Set<String>> into, Map<String, Set<String>> from) {
        from.forEach((t, s) -> into.computeIfAbsent(t, x -> new HashSet<>()).addAll(s));
    }
}
