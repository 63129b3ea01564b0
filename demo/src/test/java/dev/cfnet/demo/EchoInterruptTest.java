package dev.cfnet.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code cfnet-demo echo} in a process of its own, stopped as a user stops it: Ctrl-C, that is SIGINT. */
@Timeout(60)
class EchoInterruptTest {

    @Test
    void ctrlCPrintsTheSummaryLineAndExitsAsInterrupted() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/kill")) || Files.isExecutable(Path.of("/usr/bin/kill")),
                "no kill(1) to send SIGINT with");
        List<String> command = new ArrayList<>();
        // A shell that starts a job in the background without job control ignores SIGINT for it, and a JVM
        // that starts with SIGINT ignored never sees Ctrl-C: give the child the default disposition back.
        if (run("/usr/bin/env", "--default-signal=INT", "true") == 0) {
            command.addAll(List.of("/usr/bin/env", "--default-signal=INT"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "echo", "--port", "0", "--no-udp"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            Matcher listening = null;
            for (String line; listening == null && (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                Matcher m = Pattern.compile("^Echoing on .*:(\\d+) \\(TCP\\)").matcher(line);
                if (m.find()) listening = m;
            }
            assertTrue(listening != null, "the server never said where it listens:\n" + seen);
            int port = Integer.parseInt(listening.group(1));
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                assertEquals("hello", new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
            }
            assertEquals(0, run("kill", "-INT", Long.toString(p.pid())), "kill -INT " + p.pid());
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "still running 20 s after SIGINT");
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
            }
            assertTrue(seen.toString().contains("Echoed 5 bytes over 1 connection"),
                    "the summary line after Ctrl-C:\n" + seen);
            assertEquals(130, p.exitValue(), "128 + SIGINT, as a shell reports Ctrl-C:\n" + seen);
        } finally {
            p.destroyForcibly();
        }
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
