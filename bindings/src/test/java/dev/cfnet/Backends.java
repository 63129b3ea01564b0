package dev.cfnet;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The backends a contract test runs on: both, or the one named by -Dcfnet.test.backend (make test-cf). */
public final class Backends {
    private Backends() {
    }

    public static List<Backend> backends() {
        String only = System.getProperty("cfnet.test.backend", "").trim();
        if (!only.isEmpty()) {
            return List.of(Backend.valueOf(only.toUpperCase(Locale.ROOT)));
        }
        return Arrays.asList(Backend.values());
    }
}
