package org.svgjava.core.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Named tensors, as PyTorch's {@code state_dict()}: the common currency between weight files and models. Every
 * transformation returns a new state dict; the tensors themselves are shared, not copied.
 */
public final class StateDict {
    /** The keys, tried in order, under which training checkpoints keep their weights. */
    public static final List<String> WRAPPER_KEYS = List.of("ema", "state_dict", "model", "module");

    private final Path source;
    private final Map<String, TensorData> tensors;

    private StateDict(Path source, Map<String, TensorData> tensors) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public static StateDict of(Map<String, TensorData> tensors, Path source) {
        return new StateDict(source, new LinkedHashMap<>(tensors));
    }

    /**
     * Reads a safetensors file or a torch checkpoint (decided by the file's first bytes). For a torch checkpoint,
     * {@code path} names the nested entry to take (e.g. "ema", or "state_dict"); with no path, the top level is
     * taken when it holds tensors, else the first of {@link #WRAPPER_KEYS} present.
     */
    public static StateDict load(Path file, String... path) throws WeightFileException {
        boolean torch;
        try {
            torch = TorchCheckpoint.isTorchFile(file);
        } catch (IOException e) {
            throw new WeightFileException(file, null, "cannot read: " + e, e);
        }
        if (torch) {
            return fromTorch(file, path);
        }
        if (path.length > 0) {
            throw new WeightFileException(file, null, "is a safetensors file, which has no nested entry "
                    + String.join("/", path));
        }
        return new StateDict(file, new LinkedHashMap<>(SafeTensors.read(file).tensors()));
    }

    public static StateDict fromTorch(Path file, String... path) throws WeightFileException {
        Object node = TorchCheckpoint.load(file);
        List<String> walked = new ArrayList<>();
        for (String key : path) {
            if (!(node instanceof Map<?, ?> m) || !m.containsKey(key)) {
                throw new WeightFileException(file, null, "has no entry '" + key + "' under '"
                        + String.join("/", walked) + "'" + keysOf(node));
            }
            node = m.get(key);
            walked.add(key);
        }
        if (path.length == 0 && node instanceof Map<?, ?> m && m.values().stream().noneMatch(TensorData.class::isInstance)) {
            for (String key : WRAPPER_KEYS) {
                if (m.get(key) instanceof Map<?, ?>) {
                    node = m.get(key);
                    walked.add(key);
                    break;
                }
            }
        }
        if (!(node instanceof Map<?, ?> m)) {
            throw new WeightFileException(file, null, "entry '" + String.join("/", walked) + "' is not a dict of tensors");
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getValue() instanceof TensorData t) {
                out.put(String.valueOf(e.getKey()), t);
            }
        }
        if (out.isEmpty()) {
            throw new WeightFileException(file, null, "entry '" + String.join("/", walked) + "' holds no tensors" + keysOf(node));
        }
        return new StateDict(file, out);
    }

    /** The file the tensors came from, or null for one built in memory. */
    public Path source() {
        return source;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public Map<String, TensorData> tensors() {
        return tensors;
    }

    public int size() {
        return tensors.size();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorData get(String name) throws WeightFileException {
        TensorData t = tensors.get(name);
        if (t == null) {
            throw new WeightFileException(source, name, "missing from the state dict (" + tensors.size() + " tensors)");
        }
        return t;
    }

    /** Only the tensors under {@code prefix}, with the prefix removed ({@code select("decoder.")}). */
    public StateDict select(String prefix) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return new StateDict(source, out);
    }

    /** Removes {@code prefix} where present (e.g. "module." of DataParallel), keeping the other names. */
    public StateDict stripPrefix(String prefix) {
        return renamed(k -> k.startsWith(prefix) ? k.substring(prefix.length()) : k);
    }

    public StateDict addPrefix(String prefix) {
        return renamed(k -> prefix + k);
    }

    public StateDict filter(Predicate<String> keep) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (keep.test(k)) {
                out.put(k, v);
            }
        });
        return new StateDict(source, out);
    }

    /** Applies each rule, in order, to every name. */
    public StateDict rename(List<RenameRule> rules) {
        return renamed(k -> {
            String n = k;
            for (RenameRule r : rules) {
                n = r.apply(n);
            }
            return n;
        });
    }

    public StateDict with(String name, TensorData tensor) {
        Map<String, TensorData> out = new LinkedHashMap<>(tensors);
        out.put(name, tensor);
        return new StateDict(source, out);
    }

    /** A regular-expression rename: {@code rule("^blocks\\.(\\d+)\\.ls1\\.gamma$", "layer.$1.layer_scale1.lambda1")}. */
    public record RenameRule(Pattern pattern, String replacement) {
        public static RenameRule of(String regex, String replacement) {
            return new RenameRule(Pattern.compile(regex), replacement);
        }

        public String apply(String name) {
            return pattern.matcher(name).replaceAll(replacement);
        }
    }

    private StateDict renamed(java.util.function.UnaryOperator<String> f) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            String n = f.apply(k);
            String clash = origin.put(n, k);
            if (clash != null) {
                throw new IllegalArgumentException("renaming maps both '" + clash + "' and '" + k + "' to '" + n + "'");
            }
            out.put(n, v);
        });
        return new StateDict(source, out);
    }

    private static String keysOf(Object node) {
        if (node instanceof Map<?, ?> m) {
            return " (keys: " + m.keySet().stream().limit(20).map(String::valueOf).toList() + ")";
        }
        return "";
    }
}
