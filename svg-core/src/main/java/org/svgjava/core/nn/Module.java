package org.svgjava.core.nn;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.kernels.Kernels;

/**
 * A piece of a model with parameters and sub-modules registered by name, so the model's parameter names are the
 * PyTorch {@code state_dict} keys ({@code blocks.3.attn.qkv.weight}).
 *
 * <p>Construction declares shapes only. {@link #build} on the root allocates one flat {@link ParameterSet} for the
 * whole tree (and a second one for gradients unless the model is frozen) and hands every module its views. Each
 * module then offers its own {@code forward} and {@code backward}: backward takes the output gradient, returns the
 * input gradient and <em>adds</em> parameter gradients into the gradient views (as PyTorch accumulates
 * {@code .grad}).
 *
 * <p>Activations needed by backward are kept only when {@link #storesActivations()}: not when the module is
 * frozen, and not in inference mode. Outputs live in buffers the module reuses on the next call with the same
 * shape: a returned array is valid until the same module runs forward again, so no step allocates after the
 * first.
 */
public abstract class Module {
    private final Map<String, long[]> declared = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, INDArray> values = new HashMap<>();
    private final Map<String, INDArray> grads = new HashMap<>();
    private ParameterSet parameterSet;
    private ParameterSet gradientSet;
    private boolean training;
    private boolean frozen;
    private boolean inference;
    /** Output and scratch buffers of this module, reused across calls (shared between twins in inference). */
    protected Buffers buffers = new Buffers();

    protected final void declareParameter(String name, long... shape) {
        if (parameterSet != null) {
            throw new IllegalStateException("parameters are declared before build()");
        }
        if (declared.put(name, shape.clone()) != null || children.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' declared twice");
        }
    }

    protected final <M extends Module> M addModule(String name, M module) {
        if (children.put(name, module) != null || declared.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' declared twice");
        }
        return module;
    }

    /** The value view of a parameter declared by this module. */
    protected final INDArray p(String name) {
        INDArray v = values.get(name);
        if (v == null) {
            throw new IllegalStateException(parameterSet == null && values.isEmpty()
                    ? "module used before build()" : "no parameter '" + name + "'");
        }
        return v;
    }

    /** The gradient view of a parameter declared by this module, or null when the module keeps no gradients. */
    protected final INDArray g(String name) {
        return grads.get(name);
    }

    /** Sub-modules by name, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * Allocates the flat parameter buffer of this whole tree (and the gradient buffer unless frozen) and binds
     * every module's views. Values start at zero; models initialise them afterwards.
     */
    public ParameterSet build(DataType type) {
        ParameterSet.Builder b = ParameterSet.builder();
        walk("", (name, shape) -> b.add(name, shape));
        parameterSet = b.build(type);
        bind("", parameterSet, values -> values.values);
        if (!frozen) {
            gradientSet = parameterSet.zerosLike();
            bind("", gradientSet, m -> m.grads);
        }
        return parameterSet;
    }

    /** Number of parameter elements the tree declares (available before {@link #build}, allocates nothing). */
    public final long declaredNumel() {
        long[] n = {0};
        walk("", (name, shape) -> n[0] += ParameterSet.numel(shape));
        return n[0];
    }

    /** The flat parameters of the tree rooted here (after {@link #build}). */
    public final ParameterSet parameters() {
        if (parameterSet == null) {
            throw new IllegalStateException("parameters() on a module that is not a built root");
        }
        return parameterSet;
    }

    /** The flat gradients of the tree rooted here, or null for a frozen model. */
    public final ParameterSet gradients() {
        return gradientSet;
    }

    public final void zeroGradients() {
        if (gradientSet != null) {
            Kernels.get().zero(gradientSet.flat());
        }
    }

    /** Train mode (dropout, label dropout, masking active) or eval mode, for the whole tree. */
    public Module train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
        return this;
    }

    public final boolean isTraining() {
        return training;
    }

    /** A frozen tree keeps no gradients and no activations: call before {@link #build}. */
    public Module freeze() {
        if (parameterSet != null) {
            throw new IllegalStateException("freeze() before build()");
        }
        frozen = true;
        children.values().forEach(Module::freeze);
        return this;
    }

    public final boolean isFrozen() {
        return frozen;
    }

    /** Inference mode: forward passes keep nothing for a backward pass (sampling, encoding). */
    public Module inference(boolean on) {
        inference = on;
        children.values().forEach(c -> c.inference(on));
        return this;
    }

    /** The activation a backward pass needs, or a clear error when forward did not keep it. */
    protected static <T> T stored(T activation) {
        if (activation == null) {
            throw new IllegalStateException("backward without a stored forward (frozen module, inference mode, or no"
                    + " forward call since)");
        }
        return activation;
    }

    /**
     * Lets this tree use the buffers of {@code twin}, a tree of the same structure (a sibling transformer block).
     * Only for inference, where no activation outlives its block: a deep model then holds one block's buffers
     * instead of one set per block. {@link #ownBuffers()} undoes it.
     */
    public void shareBuffers(Module twin) {
        if (!twin.children.keySet().equals(children.keySet())) {
            throw new IllegalArgumentException("buffers can only be shared with a module of the same structure");
        }
        buffers = twin.buffers;
        children.forEach((n, c) -> c.shareBuffers(twin.children.get(n)));
    }

    /** Gives this tree buffers of its own again. */
    public void ownBuffers() {
        buffers = new Buffers();
        children.values().forEach(Module::ownBuffers);
    }

    /** Whether forward must keep what backward needs. */
    protected final boolean storesActivations() {
        return !frozen && !inference;
    }

    private void walk(String prefix, BiConsumer<String, long[]> visit) {
        declared.forEach((n, s) -> visit.accept(prefix + n, s));
        children.forEach((n, c) -> c.walk(prefix + n + ".", visit));
    }

    private void bind(String prefix, ParameterSet set, java.util.function.Function<Module, Map<String, INDArray>> target) {
        Map<String, INDArray> into = target.apply(this);
        declared.keySet().forEach(n -> into.put(n, set.get(prefix + n)));
        children.forEach((n, c) -> c.bind(prefix + n + ".", set, target));
    }
}
