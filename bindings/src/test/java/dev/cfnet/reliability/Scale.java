package dev.cfnet.reliability;

/** Sizes of the reliability suites: bounded for CI ({@code make test}), full for {@code make test-reliability}. */
final class Scale {
    private Scale() {
    }

    static boolean full() {
        return "full".equals(System.getProperty("cfnet.reliability", "ci"));
    }

    static int of(int ci, int full) {
        return full() ? full : ci;
    }

    static long of(long ci, long full) {
        return full() ? full : ci;
    }
}
