package org.svgjava.core.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.StateDictMismatchException;
import org.svgjava.core.io.StateDictMismatchException.LoadReport;
import org.svgjava.core.io.TensorData;
import org.svgjava.core.io.WeightFileException;

/**
 * All parameters of a model in one flat buffer, with a named view per tensor whose name is the PyTorch
 * {@code state_dict} key ({@code blocks.3.attn.qkv.weight}). Loading official weights is then a name lookup, and
 * optimisers, EMA, clipping and checkpoints are loops over one buffer.
 */
public final class ParameterSet {
    private static final Logger log = LoggerFactory.getLogger(ParameterSet.class);

    private final INDArray flat;
    private final Map<String, INDArray> views;
    private final Map<String, long[]> offsets;

    private ParameterSet(INDArray flat, Map<String, INDArray> views, Map<String, long[]> offsets) {
        this.flat = flat;
        this.views = Collections.unmodifiableMap(views);
        this.offsets = offsets;
    }

    public static Builder builder() {
        return new Builder();
    }

    static long numel(long[] shape) {
        return TensorData.numel(shape);
    }

    /** A second buffer with the same names, shapes and layout (for gradients, optimiser moments, EMA). */
    public ParameterSet zerosLike() {
        Builder b = new Builder();
        views.forEach((k, v) -> b.add(k, v.shape()));
        return b.build(flat.dataType());
    }

    /** The whole buffer, a rank-1 array of {@link #numel()} elements. */
    public INDArray flat() {
        return flat;
    }

    public long numel() {
        return flat.length();
    }

    /** Named views in declaration order; writing to one writes into {@link #flat()}. */
    public Map<String, INDArray> views() {
        return views;
    }

    public INDArray get(String name) {
        INDArray v = views.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no parameter '" + name + "' (have " + views.size() + ")");
        }
        return v;
    }

    /** {offset, length} of a named tensor inside {@link #flat()}. */
    public long[] range(String name) {
        get(name);
        return offsets.get(name).clone();
    }

    /** Copies every tensor of {@code sd} into the view of the same name; any mismatch throws, listing all of them. */
    public LoadReport loadStrict(StateDict sd) throws WeightFileException {
        LoadReport r = compare(sd);
        if (!r.isClean()) {
            throw new StateDictMismatchException(sd.source(), r);
        }
        copy(sd, r.loaded());
        return r;
    }

    /** Copies what matches, logs what does not (a warning per kind of mismatch), and returns the report. */
    public LoadReport loadNonStrict(StateDict sd) throws WeightFileException {
        LoadReport r = compare(sd);
        if (!r.isClean()) {
            log.warn("{}: loading what matches; {}", sd.source() == null ? "state dict" : sd.source(), r.describeProblems());
        }
        copy(sd, r.loaded());
        return r;
    }

    /** This set as a state dict (copies of the values, so later training does not change it). */
    public StateDict toStateDict() {
        Map<String, TensorData> out = new LinkedHashMap<>();
        views.forEach((k, v) -> out.put(k, TensorData.of(v)));
        return StateDict.of(out, null);
    }

    private LoadReport compare(StateDict sd) {
        List<String> loaded = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : views.entrySet()) {
            TensorData t = sd.tensors().get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + " " + Arrays.toString(t.shape()) + " vs " + Arrays.toString(e.getValue().shape()));
            } else {
                loaded.add(e.getKey());
            }
        }
        for (String name : sd.names()) {
            if (!views.containsKey(name)) {
                unexpected.add(name);
            }
        }
        return new LoadReport(loaded, missing, unexpected, mismatched);
    }

    private void copy(StateDict sd, List<String> names) throws WeightFileException {
        for (String name : names) {
            TensorData t = sd.get(name);
            INDArray view = views.get(name);
            view.assign(t.toINDArray(view.dataType()));
        }
    }

    /** Declares tensors in order; {@link #build} allocates the buffer once. */
    public static final class Builder {
        private final Map<String, long[]> shapes = new LinkedHashMap<>();

        public Builder add(String name, long... shape) {
            if (shapes.put(name, shape.clone()) != null) {
                throw new IllegalArgumentException("parameter '" + name + "' declared twice");
            }
            return this;
        }

        public ParameterSet build() {
            return build(DataType.FLOAT);
        }

        public ParameterSet build(DataType type) {
            long total = 0;
            for (long[] s : shapes.values()) {
                total += TensorData.numel(s);
            }
            INDArray flat = Nd4j.create(type, Math.max(total, 1)).reshape(Math.max(total, 1));
            Map<String, INDArray> views = new LinkedHashMap<>();
            Map<String, long[]> offsets = new LinkedHashMap<>();
            long off = 0;
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                long n = TensorData.numel(e.getValue());
                INDArray v = n == 0 ? Nd4j.create(type, e.getValue())
                        : flat.get(NDArrayIndex.interval(off, off + n)).reshape('c', e.getValue());
                views.put(e.getKey(), v);
                offsets.put(e.getKey(), new long[] {off, n});
                off += n;
            }
            return new ParameterSet(flat, views, offsets);
        }
    }
}
