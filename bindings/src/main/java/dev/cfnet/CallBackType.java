package dev.cfnet;

import java.util.EnumSet;
import java.util.Set;

/**
 * The kinds of socket callback, with Core Foundation's {@code CFSocketCallBackType} values.
 *
 * <p>{@link #READ}, {@link #ACCEPT} and {@link #DATA} are the "read type" callbacks: a socket asks for at most one
 * of them.
 */
public enum CallBackType {
    /** The socket has bytes to read; the callback reads them with {@link Socket#receive}. kCFSocketReadCallBack. */
    READ(1),
    /** A listening socket accepted a connection; the event carries it. kCFSocketAcceptCallBack. */
    ACCEPT(2),
    /** The library read the bytes; the event carries them. kCFSocketDataCallBack. */
    DATA(3),
    /** A connection attempt finished, with or without an error. kCFSocketConnectCallBack. */
    CONNECT(4),
    /** The socket can take more bytes. kCFSocketWriteCallBack. */
    WRITE(8);

    /** The bits that name the read type (1 READ, 2 ACCEPT, 3 DATA). */
    static final int READ_TYPE_BITS = 3;

    private final int cfValue;

    CallBackType(int cfValue) {
        this.cfValue = cfValue;
    }

    /**
     * The {@code CFSocketCallBackType} value.
     *
     * @return 1, 2, 3, 4 or 8
     */
    public int cfValue() {
        return cfValue;
    }

    /**
     * True for READ, ACCEPT and DATA.
     *
     * @return whether this is one of the mutually exclusive read types
     */
    public boolean isReadType() {
        return this == READ || this == ACCEPT || this == DATA;
    }

    /**
     * The CF bit mask of a set of types (DATA counts as 3, as in CF).
     *
     * @param types the callback types
     * @return their values or-ed together
     */
    public static int toBits(Set<CallBackType> types) {
        int bits = 0;
        for (CallBackType t : types) {
            bits |= t.cfValue;
        }
        return bits;
    }

    /**
     * The types in a CF bit mask; the two low bits name one read type (1 READ, 2 ACCEPT, 3 DATA).
     *
     * @param bits a {@code CFOptionFlags} mask of callback types
     * @return a new, modifiable set of the types in it
     */
    public static Set<CallBackType> fromBits(int bits) {
        EnumSet<CallBackType> set = EnumSet.noneOf(CallBackType.class);
        switch (bits & READ_TYPE_BITS) {
            case 1 -> set.add(READ);
            case 2 -> set.add(ACCEPT);
            case 3 -> set.add(DATA);
            default -> { }
        }
        if ((bits & 4) != 0) set.add(CONNECT);
        if ((bits & 8) != 0) set.add(WRITE);
        return set;
    }
}
