package dev.cfnet.demo.fault;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Delay, loss and reordering on the lab's veth: {@code tc qdisc ... netem} where the kernel has netem, else a
 * userspace stand-in ({@link NfqShaper} behind iptables NFQUEUE rules in the namespace) with the same meaning.
 * {@code -Dcfnet.fault.shaper=netem|nfqueue} forces one.
 *
 * <p>Delay and reordering apply to the packets from this side to the namespace (the client's data and ACKs): there
 * they are held after crossing the veth, so the sender's socket no longer owns them (a packet held on the sending
 * host would count against TCP Small Queues and throttle the flow to a couple of packets per delay; netem avoids
 * that by orphaning what it holds). Loss applies both ways.
 */
final class Shaping implements AutoCloseable {
    enum Kind { NETEM, NFQUEUE }

    /** What to do to packets. */
    record Impairment(int delayMs, double loss, double reorder) {
        static Impairment delay(int ms) {
            return new Impairment(ms, 0, 0);
        }

        static Impairment loss(double p) {
            return new Impairment(0, p, 0);
        }

        /** netem's "delay D reorder P": P of the packets go at once, the others D later. */
        static Impairment reorder(int delayMs, double p) {
            return new Impairment(delayMs, 0, p);
        }

        boolean bothWays() {
            return loss > 0;
        }

        String netemArgs() {
            List<String> a = new ArrayList<>();
            if (delayMs > 0) a.add("delay " + delayMs + "ms");
            if (reorder > 0) a.add("reorder " + pct(reorder) + " 50%");
            if (loss > 0) a.add("loss " + pct(loss));
            return String.join(" ", a);
        }

        private static String pct(double p) {
            return String.format(Locale.ROOT, "%.0f%%", p * 100);
        }
    }

    static final int QUEUE = 7;

    final Kind kind;
    private final NetLab lab;
    private final Child shaper;
    private final String tc;

    private Shaping(Kind kind, NetLab lab, Child shaper, String tc) {
        this.kind = kind;
        this.lab = lab;
        this.shaper = shaper;
        this.tc = tc;
    }

    /**
     * Picks netem or the NFQUEUE stand-in.
     *
     * @throws NetLab.Unavailable when neither works here, saying why
     */
    static Shaping open(NetLab lab) throws NetLab.Unavailable, IOException, InterruptedException {
        String forced = System.getProperty("cfnet.fault.shaper", "").strip().toLowerCase(Locale.ROOT);
        String tc = NetLab.tool("tc");
        String netemMissing;
        if (tc == null) {
            netemMissing = "tc (iproute2) is not installed";
        } else {
            try {
                NetLab.exec(List.of(tc, "qdisc", "add", "dev", lab.hostIf, "root", "netem", "delay", "0ms"), 10);
                NetLab.exec(List.of(tc, "qdisc", "del", "dev", lab.hostIf, "root"), 10);
                netemMissing = null;
            } catch (IOException e) {
                netemMissing = "no netem qdisc in this kernel (" + e.getMessage().replaceAll(".*: ", "") + ")";
            }
        }
        if (netemMissing == null && !forced.equals("nfqueue")) {
            return new Shaping(Kind.NETEM, lab, null, tc);
        }
        if (forced.equals("netem")) throw new NetLab.Unavailable("-Dcfnet.fault.shaper=netem, but " + netemMissing);
        if (!lab.hasIptables()) {
            throw new NetLab.Unavailable(netemMissing + ", and the NFQUEUE stand-in needs iptables: "
                    + lab.iptablesMissing());
        }
        Child shaper = lab.java("nfq-shaper", true, NfqShaper.class.getName(), String.valueOf(QUEUE));
        shaper.awaitPrefix("READY", Duration.ofSeconds(20));
        if (netemMissing != null) {
            System.out.println("[faults] " + netemMissing + ": delay, loss and reordering come from the NFQUEUE "
                    + "stand-in (NfqShaper)");
        }
        return new Shaping(Kind.NFQUEUE, lab, shaper, tc);
    }

    /** Puts {@code imp} in force until the returned handle is closed. */
    Applied apply(Impairment imp, long seed) throws IOException, InterruptedException {
        return new Applied(imp, seed);
    }

    final class Applied implements AutoCloseable {
        private final Impairment imp;
        private final Map<String, Long> before;
        private final List<String[]> rules = new ArrayList<>();

        Applied(Impairment imp, long seed) throws IOException, InterruptedException {
            this.imp = imp;
            if (kind == Kind.NETEM) {
                List<String> args = List.of(imp.netemArgs().split(" "));
                netem(lab.hostIf, false, args);
                if (imp.bothWays()) netem(lab.peerIf, true, args);
                before = Map.of();
            } else {
                before = stats();
                shaper.send("SET delay=" + imp.delayMs() + " loss=" + imp.loss() + " reorder=" + imp.reorder()
                        + " seed=" + seed);
                shaper.awaitPrefix("OK", Duration.ofSeconds(5));
                rule("INPUT", "-i", lab.peerIf, "-p", "tcp", "-j", "NFQUEUE", "--queue-num", String.valueOf(QUEUE));
                if (imp.bothWays()) {
                    rule("OUTPUT", "-o", lab.peerIf, "-p", "tcp", "-j", "NFQUEUE", "--queue-num",
                            String.valueOf(QUEUE));
                }
            }
        }

        private void netem(String dev, boolean inside, List<String> args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(tc, "qdisc", "replace", "dev", dev, "root", "netem"));
            cmd.addAll(args);
            if (inside) {
                lab.inside(cmd.toArray(String[]::new));
            } else {
                NetLab.exec(cmd, 10);
            }
        }

        private void rule(String chain, String... spec) throws IOException {
            List<String> a = new ArrayList<>(List.of("-A", chain));
            a.addAll(List.of(spec));
            lab.iptables(a.toArray(String[]::new));
            List<String> d = new ArrayList<>(a);
            d.set(0, "-D");
            rules.add(d.toArray(String[]::new));
        }

        /** "netem delay 50ms" or "nfqueue delay 50ms" */
        String describe() {
            String what = imp.netemArgs();
            return (kind == Kind.NETEM ? "netem " : "nfqueue (netem stand-in) ") + what
                    + (imp.bothWays() ? " both ways" : "");
        }

        /** Packets the impairment touched so far: dropped, delayed or sent ahead of others, by kind. */
        Map<String, Long> faults() throws IOException, InterruptedException {
            Map<String, Long> f = new HashMap<>();
            if (kind == Kind.NETEM) {
                for (String dev : imp.bothWays() ? List.of(lab.hostIf, lab.peerIf) : List.of(lab.hostIf)) {
                    String s = dev.equals(lab.peerIf)
                            ? lab.inside(tc, "-s", "qdisc", "show", "dev", dev)
                            : NetLab.exec(List.of(tc, "-s", "qdisc", "show", "dev", dev), 10);
                    f.merge("packets", number(s, "bytes ", " pkt"), Long::sum);
                    f.merge("dropped", number(s, "(dropped ", ","), Long::sum);
                }
            } else {
                Map<String, Long> now = stats();
                for (String k : List.of("seen", "dropped", "delayed", "immediate", "enobufs")) {
                    f.put(k, now.getOrDefault(k, 0L) - before.getOrDefault(k, 0L));
                }
                if (f.remove("enobufs") > 0) {
                    throw new AssertionError("the NFQUEUE stand-in lost netlink messages (ENOBUFS): packets may have "
                            + "been stuck in the kernel's queue, so the run says nothing: " + f);
                }
                f.put("packets", f.remove("seen"));
                if (imp.reorder() > 0) f.put("reordered", f.get("immediate"));
                f.remove("immediate");
                if (imp.delayMs() == 0) f.remove("delayed");
                if (imp.loss() == 0) f.remove("dropped");
            }
            return f;
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (kind == Kind.NETEM) {
                NetLab.exec(List.of(tc, "qdisc", "del", "dev", lab.hostIf, "root"), 10);
                if (imp.bothWays()) lab.inside(tc, "qdisc", "del", "dev", lab.peerIf, "root");
            } else {
                for (String[] r : rules.reversed()) lab.iptables(r);
                shaper.send("SET delay=0 loss=0 reorder=0");
                shaper.awaitPrefix("OK", Duration.ofSeconds(5));
            }
        }
    }

    private Map<String, Long> stats() throws InterruptedException {
        shaper.send("STATS");
        String line = shaper.awaitPrefix("STATS", Duration.ofSeconds(5));
        Map<String, Long> m = new HashMap<>();
        for (String kv : line.substring(5).strip().split("\\s+")) {
            String[] p = kv.split("=");
            m.put(p[0], Long.parseLong(p[1]));
        }
        return m;
    }

    private static long number(String text, String before, String after) {
        int i = text.indexOf(before);
        if (i < 0) return 0;
        int start = i + before.length();
        int end = text.indexOf(after, start);
        if (end < 0) return 0;
        try {
            return Long.parseLong(text.substring(start, end).strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        if (shaper != null) shaper.close();
    }
}
