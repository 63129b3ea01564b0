package dev.cfnet.spi;

/**
 * Core Foundation's callback and flag bits, as {@code dev.cfnet.CallBackType} and {@code SocketFlag} give them
 * ({@code cfValue()}), as constants for the backends' bit arithmetic.
 */
public final class CallBackBits {
    public static final int READ = 1;
    public static final int ACCEPT = 2;
    /** READ and ACCEPT's bits together: DATA is a read type of its own. */
    public static final int DATA = 3;
    /** The bits that name a socket's read type (READ, ACCEPT or DATA; 0 for none). */
    public static final int READ_TYPE = 3;
    public static final int CONNECT = 4;
    public static final int WRITE = 8;
    public static final int LEAVE_ERRORS = 64;
    public static final int CLOSE_ON_INVALIDATE = 128;

    private CallBackBits() {
    }

    /** The read type among callback bits: READ, ACCEPT, DATA or 0. */
    public static int readType(int callBackTypes) {
        return callBackTypes & READ_TYPE;
    }

    /** CF's flags of a new socket: its read type re-arms itself, WRITE never does, invalidate closes it. */
    public static int defaultFlags(int callBackTypes) {
        return (callBackTypes & ~CONNECT & ~WRITE) | CLOSE_ON_INVALIDATE;
    }
}
