package dev.cfnet.cf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The exported symbols of an Apple text stub (.tbd, version 4: YAML with {@code exports:} blocks, each a
 * {@code targets:} list and {@code symbols:}/{@code weak-symbols:}/... lists), per target such as "arm64-macos".
 * C names keep their Mach-O leading underscore.
 */
final class Tbd {
    private Tbd() {
    }

    /** target -> symbols exported for it (re-exports of other libraries are not followed). */
    static Map<String, Set<String>> exports(Path tbd) throws IOException {
        String text = Files.readString(tbd);
        if (!text.contains("tbd-version:     4") && !text.contains("tbd-version: 4")) {
            throw new IOException(tbd + " is not a version 4 text stub");
        }
        Map<String, Set<String>> out = new HashMap<>();
        int exports = text.indexOf("\nexports:");
        if (exports < 0) return out;
        // Top-level keys start at column 0; the exports section ends at the next one.
        int end = text.length();
        for (String key : List.of("\nreexports:", "\nundefineds:", "\n...")) {
            int k = text.indexOf(key, exports + 1);
            if (k >= 0) end = Math.min(end, k);
        }
        String section = text.substring(exports, end);
        for (String block : section.split("\n  - ")) {
            List<String> targets = list(block, "targets:");
            if (targets.isEmpty()) continue;
            List<String> symbols = new ArrayList<>();
            for (String key : List.of("symbols:", "weak-symbols:", "thread-local-symbols:")) {
                symbols.addAll(list(block, key));
            }
            for (String t : targets) out.computeIfAbsent(t, x -> new HashSet<>()).addAll(symbols);
        }
        return out;
    }

    /** The items of the bracketed list after {@code key} at the start of a line of {@code block}; empty if none. */
    static List<String> list(String block, String key) {
        int at = -1;
        for (int i = block.indexOf(key); i >= 0; i = block.indexOf(key, i + 1)) {
            int lineStart = block.lastIndexOf('\n', i) + 1;
            if (block.substring(lineStart, i).isBlank() || block.substring(lineStart, i).strip().equals("-")) {
                at = i;
                break;
            }
        }
        if (at < 0) return List.of();
        int open = block.indexOf('[', at);
        int close = block.indexOf(']', open);
        if (open < 0 || close < 0) return List.of();
        List<String> items = new ArrayList<>();
        for (String raw : block.substring(open + 1, close).split(",")) {
            String s = raw.strip();
            if (s.startsWith("'") && s.endsWith("'") && s.length() >= 2) s = s.substring(1, s.length() - 1);
            if (!s.isEmpty()) items.add(s);
        }
        return items;
    }
}
