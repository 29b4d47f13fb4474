package org.svgjava.train.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * What a command without a YAML of its own ran with, written beside its outputs: every option's resolved value
 * (defaults included), the positional parameters, and the stage-1 configuration when the command built an
 * autoencoder. Reading this file is enough to repeat the run.
 */
final class RunOptions {
    private RunOptions() {
    }

    /** {@code out} with its extension replaced: {@code samples.safetensors -> samples-config.yaml}. */
    static Path besides(Path out) {
        return sibling(out, "-config.yaml");
    }

    /** {@code out} with its extension replaced by {@code suffix}. */
    static Path sibling(Path out, String suffix) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return out.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + suffix);
    }

    static void write(CommandSpec spec, Path file, YamlConfig autoencoder) throws IOException {
        ObjectNode root = YamlConfig.YAML.createObjectNode();
        root.put("command", spec.qualifiedName());
        ObjectNode options = root.putObject("options");
        for (OptionSpec o : spec.options()) {
            if (!o.usageHelp() && !o.versionHelp()) {
                options.set(o.longestName(), YamlConfig.YAML.valueToTree(plain(o.getValue())));
            }
        }
        List<Object> positional = new ArrayList<>();
        for (PositionalParamSpec p : spec.positionalParameters()) {
            positional.add(plain(p.getValue()));
        }
        if (!positional.isEmpty()) {
            root.set("parameters", YamlConfig.YAML.valueToTree(positional));
        }
        if (autoencoder != null) {
            root.set("autoencoder", autoencoder.root);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        YamlConfig.YAML.writeValue(file.toFile(), root);
    }

    /** Paths and enums as strings, arrays and lists element by element (what YAML can hold). */
    private static Object plain(Object v) {
        if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) {
            return v;
        }
        if (v.getClass().isArray()) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                out.add(plain(Array.get(v, i)));
            }
            return out;
        }
        if (v instanceof List<?> list) {
            return list.stream().map(RunOptions::plain).toList();
        }
        return v.toString();
    }
}
