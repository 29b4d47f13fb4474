package org.svgjava.train.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A configuration tree in the layout of an official YAML file: built-in defaults, overlaid with a user's file
 * (only the keys it sets), then with the command-line flags the user gave ({@link #set}); the result is written
 * beside the run's outputs. Keys are dotted paths, e.g. {@code model.params.depth}.
 */
class YamlConfig {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    final ObjectNode root;

    YamlConfig(String defaults, Path user) throws IOException {
        root = (ObjectNode) YAML.readTree(defaults);
        if (user != null) {
            JsonNode u = YAML.readTree(user.toFile());
            if (u == null || !u.isObject()) {
                throw new IOException(user + ": not a YAML mapping");
            }
            merge(root, (ObjectNode) u);
        }
    }

    private static void merge(ObjectNode into, ObjectNode from) {
        from.fields().forEachRemaining(e -> {
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode o && e.getValue() instanceof ObjectNode n) {
                merge(o, n);
            } else {
                into.set(e.getKey(), e.getValue());
            }
        });
    }

    /** Sets {@code path} to a flag's value; a null value (flag not given) leaves the file's or default value. */
    void set(String path, Object value) {
        if (value == null) {
            return;
        }
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.with(parts[i]);
        }
        node.set(parts[parts.length - 1], YAML.valueToTree(value));
    }

    JsonNode get(String path) {
        JsonNode n = root;
        for (String p : path.split("\\.")) {
            n = n.path(p);
        }
        return n;
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        YAML.writeValue(file.toFile(), root);
    }
}
