package org.svgjava.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} pairs and the remaining plain arguments, for the examples' mains. */
final class Args {
    private final Map<String, String> options = new HashMap<>();
    private final List<String> rest = new ArrayList<>();

    Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                options.put(args[i], args[++i]);
            } else {
                rest.add(args[i]);
            }
        }
    }

    Path path(String name, Path fallback) {
        String v = options.get(name);
        return v == null ? fallback : Path.of(v);
    }

    int integer(String name, int fallback) {
        String v = options.get(name);
        return v == null ? fallback : Integer.parseInt(v);
    }

    double number(String name, double fallback) {
        String v = options.get(name);
        return v == null ? fallback : Double.parseDouble(v);
    }

    List<String> rest() {
        return rest;
    }
}
