package dev.cfnet.demo.fault;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A private network for fault tests: a namespace {@code cfnet-fault-<pid>} joined to this (root) namespace by a veth
 * pair, with 10.201.N.1/24 on this side and 10.201.N.2-.6/24 inside, N chosen so that no route of this machine covers
 * it; where IPv6 works, also fd00:cf:N::1/64 here and fd00:cf:N::2-6/64 inside (a unique local prefix). Every packet
 * the tests send goes over this veth and nowhere else.
 *
 * <p>{@link #close()} stops the peers and deletes the namespace (which takes the veth pair with it); a shutdown hook
 * does the same if the JVM ends first, and {@link #create()} deletes namespaces left by test JVMs that were killed
 * outright.
 */
final class NetLab implements AutoCloseable {
    static final String PREFIX = "cfnet-fault-";

    /** Thrown when this machine cannot give us a namespace; the message says why (the tests skip with it). */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String why) {
            super(why);
        }
    }

    final String ns;
    final String hostIf;
    final String peerIf;
    final int net;
    private final String ip;
    private final String iptables;
    private final String iptablesMissing;
    private String ip6tables;
    private String ipv6Missing;
    private final List<Child> children = new CopyOnWriteArrayList<>();
    private final Thread hook;
    private volatile boolean closed;

    private NetLab(String ip, String ns, String hostIf, String peerIf, int net, String iptables,
                   String iptablesMissing) {
        this.ip = ip;
        this.ns = ns;
        this.hostIf = hostIf;
        this.peerIf = peerIf;
        this.net = net;
        this.iptables = iptables;
        this.iptablesMissing = iptablesMissing;
        this.hook = new Thread(this::teardown, "netlab-cleanup");
    }

    /** Why namespaces cannot be had here, or null when they might. */
    static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "network namespaces are Linux-only (os.name " + System.getProperty("os.name") + ")";
        }
        if (tool("ip") == null) return "iproute2's 'ip' is not installed";
        try {
            String uid = exec(List.of("id", "-u"), 5).strip();
            if (!uid.equals("0")) {
                return "'ip netns add' needs root; this test JVM runs as uid " + uid + " ("
                        + System.getProperty("user.name") + ")";
            }
        } catch (IOException e) {
            return "cannot tell the user id: " + e.getMessage();
        }
        return null;
    }

    /** Makes the namespace and the veth pair, or says why it cannot. */
    static NetLab create() throws Unavailable, IOException {
        String why = unavailableReason();
        if (why != null) throw new Unavailable(why);
        String ip = tool("ip");
        removeStale(ip);
        long pid = ProcessHandle.current().pid();
        String ns = PREFIX + pid;
        int net = pickNet(ip, pid);
        String hostIf = "cff" + pid + "h";
        String peerIf = "cff" + pid + "p";
        try {
            exec(List.of(ip, "netns", "add", ns), 10);
        } catch (IOException e) {
            throw new Unavailable("'ip netns add' failed: " + e.getMessage());
        }
        NetLab lab = null;
        try {
            String[] iptables = findIptables(ip, ns);
            lab = new NetLab(ip, ns, hostIf, peerIf, net, iptables[0], iptables[1]);
            Runtime.getRuntime().addShutdownHook(lab.hook);
            lab.ip("link", "add", hostIf, "type", "veth", "peer", "name", peerIf, "netns", ns);
            lab.ip("addr", "add", lab.address(1).getHostAddress() + "/24", "dev", hostIf);
            lab.ip("link", "set", hostIf, "up");
            for (int host = 2; host <= 6; host++) {
                lab.ip("-n", ns, "addr", "add", lab.address(host).getHostAddress() + "/24", "dev", peerIf);
            }
            lab.ip("-n", ns, "link", "set", "lo", "up");
            lab.ip("-n", ns, "link", "set", peerIf, "up");
            lab.addIpv6();
            // The kernel rate-limits ICMP errors per destination (a burst of 6, then one a second): the REJECT tests
            // send more than 6 to this side within a second, and the 7th would only come with the SYN resent 1 s
            // later. Namespace-local setting.
            lab.inside("sh", "-c", "echo 0 > /proc/sys/net/ipv4/icmp_ratelimit");
            return lab;
        } catch (IOException | RuntimeException e) {
            if (lab != null) {
                lab.close();
            } else {
                quietly(List.of(ip, "netns", "del", ns));
            }
            throw e;
        }
    }

    private static String[] findIptables(String ip, String ns) {
        List<String> tried = new ArrayList<>();
        for (String variant : List.of("iptables", "iptables-nft", "iptables-legacy")) {
            String path = tool(variant);
            if (path == null) continue;
            try {
                exec(List.of(ip, "netns", "exec", ns, path, "-w", "5", "-L", "INPUT", "-n"), 10);
                return new String[] {path, null};
            } catch (IOException e) {
                tried.add(variant + ": " + e.getMessage());
            }
        }
        return new String[] {null, tried.isEmpty()
                ? "iptables is not installed (apt-get install iptables; .ci/run does)"
                : "iptables does not work in a network namespace here: " + String.join("; ", tried)};
    }

    /** A third octet N such that no route of this machine matches 10.201.N.0/24, tried from one the pid picks. */
    private static int pickNet(String ip, long pid) throws IOException {
        String routes = exec(List.of(ip, "-4", "route", "show", "table", "all"), 10) + exec(List.of(ip, "-4", "addr"), 10);
        for (int i = 0; i < 200; i++) {
            int n = (int) ((pid + i) % 200) + 20;
            String probe = exec(List.of(ip, "-4", "route", "show", "match", "10.201." + n + ".2"), 10);
            boolean onlyDefault = probe.lines().map(String::strip).filter(l -> !l.isEmpty())
                    .allMatch(l -> l.startsWith("default"));
            if (onlyDefault && !routes.contains("10.201." + n + ".")) return n;
        }
        throw new IOException("no free 10.201.N.0/24 network: every candidate is routed here already");
    }

    /** Deletes namespaces that test JVMs which no longer run left behind (killed before their cleanup ran). */
    private static void removeStale(String ip) {
        String list;
        try {
            list = exec(List.of(ip, "netns", "list"), 10);
        } catch (IOException e) {
            return;
        }
        for (String line : list.split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (!name.startsWith(PREFIX)) continue;
            long owner;
            try {
                owner = Long.parseLong(name.substring(PREFIX.length()));
            } catch (NumberFormatException e) {
                continue;
            }
            if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) continue;
            System.out.println("[faults] removing namespace " + name + " left by a test JVM that is gone");
            quietly(List.of(ip, "netns", "del", name));
        }
    }

    /** IPv6 on the pair (without duplicate address detection, so usable at once) and ip6tables, where they work. */
    private void addIpv6() {
        try {
            ip("addr", "add", text6(1) + "/64", "dev", hostIf, "nodad");
            for (int host = 2; host <= 6; host++) {
                ip("-n", ns, "addr", "add", text6(host) + "/64", "dev", peerIf, "nodad");
            }
        } catch (IOException e) {
            ipv6Missing = "no IPv6 on the veth pair: " + e.getMessage();
            return;
        }
        if (iptables == null) {
            ipv6Missing = iptablesMissing;
            return;
        }
        String variant = Path.of(iptables).getFileName().toString().replace("iptables", "ip6tables");
        String path = tool(variant);
        if (path == null) {
            ipv6Missing = variant + " is not installed (it comes with iptables)";
            return;
        }
        try {
            exec(List.of(ip, "netns", "exec", ns, path, "-w", "5", "-L", "INPUT", "-n"), 10);
            ip6tables = path;
        } catch (IOException e) {
            ipv6Missing = variant + " does not work in a network namespace here: " + e.getMessage();
        }
    }

    /** True when the pair has IPv6 addresses and ip6tables works in the namespace. */
    boolean hasIpv6() {
        return ip6tables != null;
    }

    /** Why IPv6 (or ip6tables) cannot be used, or null. */
    String ipv6Missing() {
        return ipv6Missing;
    }

    /** fd00:cf:N::host, as ip6tables prints it */
    String text6(int host) {
        return String.format(Locale.ROOT, "fd00:cf:%x::%x", net, host);
    }

    /** fd00:cf:N::host */
    InetAddress address6(int host) {
        try {
            return InetAddress.getByName(text6(host));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs ip6tables inside the namespace (its rules vanish with it). */
    String ip6tables(String... args) throws IOException {
        if (ip6tables == null) throw new IllegalStateException(ipv6Missing);
        List<String> cmd = new ArrayList<>(List.of(ip, "netns", "exec", ns, ip6tables, "-w", "5"));
        cmd.addAll(Arrays.asList(args));
        return exec(cmd, 15);
    }

    /** Packets that matched the first ip6tables rule of {@code chain} whose listing contains all of {@code parts}. */
    long packets6(String chain, String... parts) throws IOException {
        return matched(ip6tables("-L", chain, "-v", "-x", "-n"), chain, parts);
    }

    /** 10.201.N.host */
    InetAddress address(int host) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) 201, (byte) net, (byte) host});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    boolean hasIptables() {
        return iptables != null;
    }

    /** Why iptables cannot be used, or null. */
    String iptablesMissing() {
        return iptablesMissing;
    }

    /** Runs iptables inside the namespace (its rules vanish with it). */
    String iptables(String... args) throws IOException {
        if (iptables == null) throw new IllegalStateException(iptablesMissing);
        List<String> cmd = new ArrayList<>(List.of(ip, "netns", "exec", ns, iptables, "-w", "5"));
        cmd.addAll(Arrays.asList(args));
        return exec(cmd, 15);
    }

    /** Packets that matched the first rule of {@code chain} whose listing contains all of {@code parts}. */
    long packets(String chain, String... parts) throws IOException {
        return matched(iptables("-L", chain, "-v", "-x", "-n"), chain, parts);
    }

    private static long matched(String listing, String chain, String... parts) {
        for (String line : listing.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || !Character.isDigit(l.charAt(0))) continue;
            boolean all = true;
            for (String p : parts) all &= l.contains(p);
            if (all) return Long.parseLong(l.split("\\s+")[0]);
        }
        throw new IllegalStateException("no rule in " + chain + " with " + Arrays.toString(parts));
    }

    String ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ip));
        cmd.addAll(Arrays.asList(args));
        return exec(cmd, 15);
    }

    /** Runs a command inside the namespace. */
    String inside(String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ip, "netns", "exec", ns));
        cmd.addAll(Arrays.asList(command));
        return exec(cmd, 15);
    }

    /**
     * Starts a Java main class of this test class path inside the namespace.
     *
     * @param stopsAtEndOfInput the class exits when its stdin closes (else run it under {@link EofGuard})
     */
    Child java(String name, boolean stopsAtEndOfInput, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ip, "netns", "exec", ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path")));
        if (!stopsAtEndOfInput) cmd.add(EofGuard.class.getName());
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        Child c = new Child(name, cmd, true);
        children.add(c);
        return c;
    }

    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException shuttingDownOrGone) {
            // the hook runs or ran already
        }
    }

    private synchronized void teardown() {
        if (closed) return;
        closed = true;
        for (Child c : children.reversed()) c.close();
        quietly(List.of(ip, "netns", "del", ns));
        // The namespace's end of the pair goes with the namespace; ours follows it. Make sure of it.
        for (int i = 0; i < 20 && Files.exists(Path.of("/sys/class/net", hostIf)); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (Files.exists(Path.of("/sys/class/net", hostIf))) quietly(List.of(ip, "link", "del", hostIf));
    }

    // ---- processes ---------------------------------------------------------------------------------------------

    static String tool(String name) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin").split(":")) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p.toString();
        }
        return null;
    }

    /** Runs a command; returns its output, or throws with it when the command fails or hangs. */
    static String exec(List<String> cmd, int timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out;
        try {
            out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": still running after " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", cmd));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + text.strip());
        }
        return text;
    }

    private static void quietly(List<String> cmd) {
        try {
            exec(cmd, 15);
        } catch (IOException e) {
            System.err.println("[faults] cleanup: " + e.getMessage());
        }
    }
}
