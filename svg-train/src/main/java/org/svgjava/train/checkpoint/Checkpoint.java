package org.svgjava.train.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.TensorData;
import org.svgjava.core.io.WeightFileException;
import org.svgjava.core.nn.ParameterSet;

/**
 * A training checkpoint: one safetensors file {@code step-0001000.safetensors} holding every named state (model,
 * EMA, optimiser moments, discriminator, ...) under {@code <part>.<tensor name>}, and the scalars (step, config,
 * ...) in its metadata. The file is written atomically, so a crash during a save leaves the previous checkpoint
 * as it was; everything a run needs to continue exactly is in it (the randomness of step k is derived from the
 * run seed and k).
 */
public final class Checkpoint {
    private static final Pattern NAME = Pattern.compile("step-(\\d{7,})\\.safetensors");

    private final Path file;
    private final long step;
    private final StateDict tensors;
    private final Map<String, String> meta;

    private Checkpoint(Path file, long step, StateDict tensors, Map<String, String> meta) {
        this.file = file;
        this.step = step;
        this.tensors = tensors;
        this.meta = meta;
    }

    public static Path fileFor(Path dir, long step) {
        return dir.resolve(String.format("step-%07d.safetensors", step));
    }

    /** Saves the parts and scalars for {@code step}; keeps the newest {@code keep} checkpoints (0 keeps all). */
    public static Path save(Path dir, long step, Map<String, ParameterSet> parts, Map<String, String> scalars, int keep)
            throws IOException {
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, ParameterSet> p : parts.entrySet()) {
            p.getValue().views().forEach((name, view) -> out.put(p.getKey() + "." + name, TensorData.of(view)));
        }
        Map<String, String> meta = new LinkedHashMap<>(scalars);
        meta.put("step", Long.toString(step));
        meta.put("format", "svg-java checkpoint 1");
        Path file = fileFor(dir, step);
        SafeTensors.write(file, out, meta);
        if (keep > 0) {
            List<Path> all = list(dir);
            for (int i = 0; i < all.size() - keep; i++) {
                Files.deleteIfExists(all.get(i));
            }
        }
        return file;
    }

    /** The newest checkpoint in {@code dir}, if any. */
    public static Optional<Path> latest(Path dir) throws IOException {
        List<Path> all = list(dir);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    public static Checkpoint load(Path file) throws WeightFileException {
        SafeTensors.Contents c = SafeTensors.read(file);
        String step = c.metadata().get("step");
        if (step == null) {
            throw new WeightFileException(file, null, "is not an svg-java training checkpoint (no 'step' in its metadata)");
        }
        return new Checkpoint(file, Long.parseLong(step), StateDict.of(c.tensors(), file), c.metadata());
    }

    public long step() {
        return step;
    }

    public Path file() {
        return file;
    }

    public Map<String, String> meta() {
        return meta;
    }

    public boolean has(String part) {
        String prefix = part + ".";
        return tensors.names().stream().anyMatch(n -> n.startsWith(prefix));
    }

    /** Copies part {@code part} into {@code target}, strictly (every name and shape must match). */
    public void restore(String part, ParameterSet target) throws WeightFileException {
        target.loadStrict(tensors.select(part + "."));
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).forEach(out::add);
        }
        out.sort((a, b) -> Long.compare(stepOf(a), stepOf(b)));
        return out;
    }

    private static long stepOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }
}
