import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The last lines of a make test run: totals, one line per reason tests were skipped (surefire prints skips without
 * their reasons; its XML reports keep them), and the tests that failed.
 *
 * <p>{@code java tools/TestSummary.java [--since EPOCH_SECONDS] MODULE...} reads MODULE/target/surefire-reports;
 * with --since it ignores reports older than that, left from an earlier run.
 */
public final class TestSummary {
    private TestSummary() {
    }

    public static void main(String[] args) throws Exception {
        long since = 0;
        List<Path> modules = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--since")) {
                since = Long.parseLong(args[++i]) * 1000;
            } else {
                modules.add(Path.of(args[i]));
            }
        }
        int tests = 0;
        int skipped = 0;
        List<String> failed = new ArrayList<>();
        Map<String, Integer> reasons = new LinkedHashMap<>();
        var factory = DocumentBuilderFactory.newInstance();
        for (Path module : modules) {
            Path dir = module.resolve("target/surefire-reports");
            if (!Files.isDirectory(dir)) continue;
            for (Path xml : reports(dir, since)) {
                NodeList cases = factory.newDocumentBuilder().parse(xml.toFile()).getElementsByTagName("testcase");
                for (int i = 0; i < cases.getLength(); i++) {
                    Element c = (Element) cases.item(i);
                    tests++;
                    String name = c.getAttribute("classname") + "." + c.getAttribute("name");
                    if (has(c, "failure") || has(c, "error")) {
                        failed.add(name);
                    } else if (has(c, "skipped")) {
                        skipped++;
                        Element s = (Element) c.getElementsByTagName("skipped").item(0);
                        String why = s.hasAttribute("message") ? s.getAttribute("message") : s.getTextContent();
                        reasons.merge(reason(why), 1, Integer::sum);
                    }
                }
            }
        }
        if (tests == 0) {
            System.out.println("tests: no surefire reports from this run");
            return;
        }
        System.out.printf("tests: %d run, %d passed, %d failed, %d skipped%n", tests, tests - skipped - failed.size(),
                failed.size(), skipped);
        reasons.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> System.out.printf("%5d skipped: %s%n", e.getValue(), e.getKey()));
        for (String f : failed) {
            System.out.println("  FAILED: " + f);
        }
    }

    private static List<Path> reports(Path dir, long sinceMillis) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).filter(p -> {
                try {
                    return Files.getLastModifiedTime(p).toMillis() >= sinceMillis;
                } catch (IOException e) {
                    return false;
                }
            }).sorted().toList();
        }
    }

    private static boolean has(Element testcase, String child) {
        return testcase.getElementsByTagName(child).getLength() > 0;
    }

    /** The first line of a skip message, without the exception's name and "... skipped:", in make's terms. */
    static String reason(String text) {
        String r = text.strip().lines().findFirst().orElse("").strip();
        r = r.replaceFirst("^[\\w.$]+(Exception|Error): ", "").replaceFirst("^Assumption failed: ", "");
        r = r.replaceFirst("^[^:]{0,40}\\bskipped: ", "");
        // make passes CF_LIBRARY on as -Dcfnet.cf.library.
        r = r.replace("pass -Dcfnet.cf.library=", "set CF_LIBRARY=").replace("-Dcfnet.cf.library", "CF_LIBRARY");
        return r.isEmpty() ? "no reason given" : r;
    }
}
