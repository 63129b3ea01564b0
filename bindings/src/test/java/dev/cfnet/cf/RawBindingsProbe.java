package dev.cfnet.cf;

import dev.cfnet.Backend;
import dev.cfnet.cf.ffi.CF;

/**
 * Run in a JVM of its own by {@link RawBindingsTest}: calls the raw bindings the way porting code would, before
 * anything in cfnet loaded CoreFoundation. Argument: the library to name once the first call failed, or "-" when the
 * property is set from the start.
 */
public final class RawBindingsProbe {
    private RawBindingsProbe() {
    }

    public static void main(String[] args) {
        try {
            double now = CF.CFAbsoluteTimeGetCurrent();
            System.out.println("first call ok: " + (now > 0));
        } catch (Throwable t) {
            for (Throwable c = t; c != null; c = c.getCause()) System.out.println("threw: " + c);
            if (args[0].equals("-")) return;
            System.setProperty(CfLibrary.PROPERTY, args[0]);
            System.out.println("available now: " + Backend.CF.isAvailable());
            System.out.println("another call ok: " + (CF.CFRunLoopGetCurrent().address() != 0));
        }
    }
}
