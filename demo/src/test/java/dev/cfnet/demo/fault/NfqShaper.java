package dev.cfnet.demo.fault;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A userspace stand-in for {@code tc qdisc ... netem} where the kernel lacks it (CONFIG_NET_SCH_NETEM unset): packets
 * that iptables sends to {@code NFQUEUE --queue-num Q} are held here and given their verdict later (delay), dropped
 * (loss), or let through at once while the others wait (reorder, as netem's {@code reorder P} with a delay).
 *
 * <p>Runs as a child process inside the test's network namespace ({@code ip netns exec NS java ... NfqShaper Q}),
 * speaks netlink (nfnetlink_queue) through the FFM API, and takes commands on stdin, one per line:
 * {@code SET delay=<ms> loss=<0..1> reorder=<0..1> seed=<n>} (answers {@code OK}), {@code STATS} (answers one
 * {@code STATS ...} line); end of input stops it. It prints {@code READY} once bound to the queue.
 */
public final class NfqShaper {
    // netlink / nfnetlink_queue constants (linux/netlink.h, linux/netfilter/nfnetlink_queue.h)
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_NETFILTER = 12;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int SO_SNDBUFFORCE = 32;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;
    private static final int ENOBUFS = 105;
    private static final int EINTR = 4;
    private static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_ACK = 4;
    private static final int NFNL_SUBSYS_QUEUE = 3;
    private static final int NFQNL_MSG_PACKET = 0;
    private static final int NFQNL_MSG_VERDICT = 1;
    private static final int NFQNL_MSG_CONFIG = 2;
    private static final int NFQNL_CFG_CMD_BIND = 1;
    private static final int NFQA_CFG_CMD = 1;
    private static final int NFQA_CFG_PARAMS = 2;
    private static final int NFQA_CFG_QUEUE_MAXLEN = 3;
    private static final int NFQA_PACKET_HDR = 1;
    private static final int NFQA_VERDICT_HDR = 2;
    private static final int NFQNL_COPY_META = 1;
    private static final int NF_DROP = 0;
    private static final int NF_ACCEPT = 1;
    private static final int AF_INET = 2;
    private static final int POLLIN = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = libc("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT));
    private static final MethodHandle BIND = libc("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = libc("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SEND = libc("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV = libc("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT,
            ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle POLL = libc("poll", FunctionDescriptor.of(JAVA_INT,
            ADDRESS, JAVA_LONG, JAVA_INT));

    private static MethodHandle libc(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd,
                Linker.Option.captureCallState("errno"));
    }

    /** The impairment in force; replaced whole by SET. */
    record Config(long delayNanos, double loss, double reorder, long seed) {
    }

    private record Held(long due, int id) implements Comparable<Held> {
        @Override
        public int compareTo(Held o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Integer.compareUnsigned(id, o.id);
        }
    }

    private final int queue;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment state = arena.allocate(CALL_STATE);
    private final MemorySegment rx = arena.allocate(1 << 20);
    private final MemorySegment tx = arena.allocate(1 << 16);
    private final ByteBuffer out = ByteBuffer.allocate(1 << 16).order(ByteOrder.nativeOrder());
    private final PriorityQueue<Held> held = new PriorityQueue<>();
    private volatile Config config = new Config(0, 0, 0, 1);
    private Config applied;
    private SplittableRandom random;
    private int fd = -1;
    private int seq;

    final AtomicLong seen = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong delayed = new AtomicLong();
    final AtomicLong immediate = new AtomicLong();
    final AtomicLong enobufs = new AtomicLong();
    final AtomicLong maxHeld = new AtomicLong();

    NfqShaper(int queue) {
        this.queue = queue;
    }

    public static void main(String[] args) throws Throwable {
        if (args.length != 1) {
            System.err.println("usage: NfqShaper QUEUE_NUMBER");
            System.exit(2);
        }
        NfqShaper s = new NfqShaper(Integer.parseInt(args[0]));
        s.open();
        Thread.ofPlatform().daemon().name("nfq-commands").start(s::commands);
        System.out.println("READY queue " + s.queue);
        System.out.flush();
        s.loop();
    }

    private void commands() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                line = line.strip();
                if (line.startsWith("SET")) {
                    long delay = 0;
                    double loss = 0;
                    double reorder = 0;
                    long seed = 1;
                    for (String kv : line.substring(3).strip().split("\\s+")) {
                        if (kv.isEmpty()) continue;
                        String[] p = kv.split("=", 2);
                        switch (p[0]) {
                            case "delay" -> delay = (long) (Double.parseDouble(p[1]) * 1_000_000);
                            case "loss" -> loss = Double.parseDouble(p[1]);
                            case "reorder" -> reorder = Double.parseDouble(p[1]);
                            case "seed" -> seed = Long.parseLong(p[1]);
                            default -> throw new IllegalArgumentException("unknown setting " + kv);
                        }
                    }
                    config = new Config(delay, loss, reorder, seed);
                    System.out.println("OK " + config);
                } else if (line.equals("STATS")) {
                    System.out.println(stats());
                } else if (!line.isEmpty()) {
                    System.out.println("ERROR unknown command " + line);
                }
                System.out.flush();
            }
        } catch (Exception e) {
            System.err.println("nfq-shaper: " + e);
        }
        System.out.println(stats());
        System.out.flush();
        System.exit(0);
    }

    String stats() {
        return "STATS seen=" + seen + " dropped=" + dropped + " delayed=" + delayed + " immediate=" + immediate
                + " maxHeld=" + maxHeld + " enobufs=" + enobufs;
    }

    // ---- netlink -----------------------------------------------------------------------------------------------

    private int errno() {
        return (int) ERRNO.get(state, 0L);
    }

    void open() throws Throwable {
        fd = (int) SOCKET.invokeExact(state, AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER);
        if (fd < 0) throw new IllegalStateException("socket(AF_NETLINK, NETLINK_NETFILTER): errno " + errno());
        MemorySegment size = arena.allocate(JAVA_INT);
        size.set(JAVA_INT, 0, 32 << 20);
        // Large buffers: a lost netlink message would leave its packet in the kernel's queue for good.
        int r = (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4);
        if (r < 0) System.err.println("nfq-shaper: SO_RCVBUFFORCE failed, errno " + errno());
        r = (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_SNDBUFFORCE, size, 4);
        if (r < 0) System.err.println("nfq-shaper: SO_SNDBUFFORCE failed, errno " + errno());
        MemorySegment addr = arena.allocate(12);
        addr.set(JAVA_SHORT, 0, (short) AF_NETLINK);
        r = (int) BIND.invokeExact(state, fd, addr, 12);
        if (r < 0) throw new IllegalStateException("bind(netlink): errno " + errno());

        out.clear();
        int start = beginMessage(NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, queue);
        attribute(NFQA_CFG_CMD, 4);
        out.put((byte) NFQNL_CFG_CMD_BIND).put((byte) 0).putShort(bigEndianShort(AF_INET));   // pf, big-endian
        endMessage(start);
        transmit();
        expectAck("bind queue " + queue);

        out.clear();
        start = beginMessage(NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, queue);
        attribute(NFQA_CFG_PARAMS, 5);
        out.putInt(bigEndianInt(0)).put((byte) NFQNL_COPY_META);
        align();
        attribute(NFQA_CFG_QUEUE_MAXLEN, 4);
        out.putInt(bigEndianInt(65536));
        endMessage(start);
        transmit();
        expectAck("configure queue " + queue);
    }

    private static short bigEndianShort(int v) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? (short) v : Short.reverseBytes((short) v);
    }

    private static int bigEndianInt(int v) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    /** Writes an nlmsghdr and an nfgenmsg; returns the message's start. */
    private int beginMessage(int msg, int flags, int resId) {
        int start = out.position();
        out.putInt(0);                                            // length, set by endMessage
        out.putShort((short) ((NFNL_SUBSYS_QUEUE << 8) | msg));
        out.putShort((short) flags);
        out.putInt(++seq);
        out.putInt(0);
        out.put((byte) 0).put((byte) 0).putShort(bigEndianShort(resId));   // nfgenmsg: AF_UNSPEC, v0, queue
        return start;
    }

    private void attribute(int type, int payload) {
        out.putShort((short) (4 + payload)).putShort((short) type);
    }

    private void align() {
        while ((out.position() & 3) != 0) out.put((byte) 0);
    }

    private void endMessage(int start) {
        align();
        out.putInt(start, out.position() - start);
    }

    private void transmit() throws Throwable {
        int n = out.position();
        if (n == 0) return;
        MemorySegment.copy(out.array(), 0, tx, JAVA_BYTE, 0, n);
        long r = (long) SEND.invokeExact(state, fd, tx, (long) n, 0);
        if (r < 0) throw new IllegalStateException("send(netlink): errno " + errno());
        out.clear();
    }

    private void expectAck(String what) throws Throwable {
        long n = (long) RECV.invokeExact(state, fd, rx, rx.byteSize(), 0);
        if (n < 0) throw new IllegalStateException(what + ": recv errno " + errno());
        ByteBuffer b = rx.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder());
        int type = b.getShort(4) & 0xffff;
        if (type != NLMSG_ERROR) throw new IllegalStateException(what + ": expected an ack, got type " + type);
        int error = b.getInt(16);
        if (error != 0) throw new IllegalStateException(what + ": kernel says errno " + (-error));
    }

    // ---- the shaping loop ----------------------------------------------------------------------------------------

    void loop() throws Throwable {
        MemorySegment pfd = arena.allocate(8);
        while (true) {
            long now = System.nanoTime();
            int timeout = 100;
            Held first = held.peek();
            if (first != null) {
                long wait = first.due - now;
                timeout = wait <= 0 ? 0 : (int) Math.min(100, (wait + 999_999) / 1_000_000);
            }
            pfd.set(JAVA_INT, 0, fd);
            pfd.set(JAVA_SHORT, 4, (short) POLLIN);
            pfd.set(JAVA_SHORT, 6, (short) 0);
            int r = (int) POLL.invokeExact(state, pfd, 1L, timeout);
            if (r < 0 && errno() != EINTR) throw new IllegalStateException("poll: errno " + errno());
            out.clear();
            receiveAll();
            release(System.nanoTime());
            transmit();
        }
    }

    private void receiveAll() throws Throwable {
        while (true) {
            long n = (long) RECV.invokeExact(state, fd, rx, rx.byteSize(), MSG_DONTWAIT);
            if (n < 0) {
                int e = errno();
                if (e == EAGAIN || e == EINTR) return;
                if (e == ENOBUFS) {
                    enobufs.incrementAndGet();
                    System.err.println("nfq-shaper: ENOBUFS, packets may be stuck in the queue");
                    continue;
                }
                throw new IllegalStateException("recv(netlink): errno " + e);
            }
            if (n == 0) return;
            ByteBuffer b = rx.asSlice(0, n).asByteBuffer().order(ByteOrder.nativeOrder());
            int at = 0;
            while (at + 16 <= n) {
                int len = b.getInt(at);
                int type = b.getShort(at + 4) & 0xffff;
                if (len < 16 || at + len > n) break;
                if (type == ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) {
                    onPacket(b, at + 16 + 4, at + len);
                } else if (type == NLMSG_ERROR && b.getInt(at + 16) != 0) {
                    System.err.println("nfq-shaper: kernel error " + (-b.getInt(at + 16)));
                }
                at += (len + 3) & ~3;
            }
        }
    }

    private void onPacket(ByteBuffer b, int attrs, int end) throws Throwable {
        int id = -1;
        for (int at = attrs; at + 4 <= end; ) {
            int len = b.getShort(at) & 0xffff;
            int type = b.getShort(at + 2) & 0x3fff;
            if (len < 4) break;
            if (type == NFQA_PACKET_HDR) {
                id = bigEndianInt(b.getInt(at + 4));   // packet_id is big-endian; swapping is its own inverse
            }
            at += (len + 3) & ~3;
        }
        if (id == -1) return;
        seen.incrementAndGet();
        Config c = config;
        if (c != applied) {
            applied = c;
            random = new SplittableRandom(c.seed());
        }
        if (c.loss() > 0 && random.nextDouble() < c.loss()) {
            dropped.incrementAndGet();
            verdict(id, NF_DROP);
        } else if (c.delayNanos() == 0 || (c.reorder() > 0 && random.nextDouble() < c.reorder())) {
            immediate.incrementAndGet();
            verdict(id, NF_ACCEPT);
        } else {
            delayed.incrementAndGet();
            held.add(new Held(System.nanoTime() + c.delayNanos(), id));
            if (held.size() > maxHeld.get()) maxHeld.set(held.size());
        }
    }

    private void release(long now) throws Throwable {
        Held h;
        while ((h = held.peek()) != null && h.due - now <= 0) {
            held.poll();
            verdict(h.id, NF_ACCEPT);
        }
    }

    private void verdict(int id, int verdict) throws Throwable {
        if (out.remaining() < 64) transmit();
        int start = beginMessage(NFQNL_MSG_VERDICT, NLM_F_REQUEST, queue);
        attribute(NFQA_VERDICT_HDR, 8);
        out.putInt(bigEndianInt(verdict)).putInt(bigEndianInt(id));
        endMessage(start);
    }
}
