package dev.cfnet;

import java.util.EnumSet;
import java.util.Set;

/**
 * Socket options that steer the callbacks, as Core Foundation's {@code CFSocketSetSocketFlags}.
 *
 * <p>A new socket has {@code CLOSE_ON_INVALIDATE} plus the auto-re-enable flag of its read type (READ, ACCEPT or
 * DATA): the read-type callback re-arms itself after each callback, WRITE never does unless
 * {@link #AUTO_REENABLE_WRITE} is set. For a socket created with DATA, CONNECT and WRITE the bits are 0x83, as in CF.
 */
public enum SocketFlag {
    /** Re-arm the READ callback after it fired. kCFSocketAutomaticallyReenableReadCallBack. */
    AUTO_REENABLE_READ(1),
    /** Re-arm the ACCEPT callback after it fired. kCFSocketAutomaticallyReenableAcceptCallBack. */
    AUTO_REENABLE_ACCEPT(2),
    /** Re-arm the DATA callback after it fired. kCFSocketAutomaticallyReenableDataCallBack. */
    AUTO_REENABLE_DATA(3),
    /** Re-arm the WRITE callback after it fired. kCFSocketAutomaticallyReenableWriteCallBack. */
    AUTO_REENABLE_WRITE(8),
    /**
     * Do not collect the socket's pending error when it becomes writable: a failed connect then reports success
     * and the error surfaces at the next read or send. kCFSocketLeaveErrors.
     */
    LEAVE_ERRORS(64),
    /** Close the native socket when the socket is invalidated. kCFSocketCloseOnInvalidate. */
    CLOSE_ON_INVALIDATE(128);

    private final int cfValue;

    SocketFlag(int cfValue) {
        this.cfValue = cfValue;
    }

    /**
     * The CF bit value (AUTO_REENABLE_DATA is 3, the union of the READ and ACCEPT bits, as in CF).
     *
     * @return the flag's {@code CFOptionFlags} bits
     */
    public int cfValue() {
        return cfValue;
    }

    /**
     * The CF bit mask of a set of flags.
     *
     * @param flags the flags
     * @return their bits or-ed together
     */
    public static int toBits(Set<SocketFlag> flags) {
        int bits = 0;
        for (SocketFlag f : flags) {
            bits |= f.cfValue;
        }
        return bits;
    }

    /**
     * The flags a CF bit mask means for a socket whose read type is {@code readType} (null when it has none).
     * CF re-arms the read type callback when any of its bits is set, so 0x1 on a DATA socket reads as
     * AUTO_REENABLE_DATA.
     *
     * @param bits     a {@code CFSocketGetSocketFlags} mask
     * @param readType the socket's read type (READ, ACCEPT or DATA), or null
     * @return a new, modifiable set of the flags in it
     */
    public static Set<SocketFlag> fromBits(int bits, CallBackType readType) {
        EnumSet<SocketFlag> set = EnumSet.noneOf(SocketFlag.class);
        if (readType != null && (bits & readType.cfValue()) != 0) {
            set.add(switch (readType) {
                case READ -> AUTO_REENABLE_READ;
                case ACCEPT -> AUTO_REENABLE_ACCEPT;
                default -> AUTO_REENABLE_DATA;
            });
        }
        if ((bits & 8) != 0) set.add(AUTO_REENABLE_WRITE);
        if ((bits & 64) != 0) set.add(LEAVE_ERRORS);
        if ((bits & 128) != 0) set.add(CLOSE_ON_INVALIDATE);
        return set;
    }
}
