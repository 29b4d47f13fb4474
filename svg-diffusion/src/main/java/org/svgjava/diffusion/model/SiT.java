package org.svgjava.diffusion.model;

import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.WeightFileException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.svgjava.core.kernels.Kernels;
import org.svgjava.core.nn.Activation;
import org.svgjava.core.nn.Embedding;
import org.svgjava.core.nn.LayerNorm;
import org.svgjava.core.nn.Linear;
import org.svgjava.core.nn.Module;
import org.svgjava.core.nn.SinCos;

/**
 * The SVG diffusion transformer, exactly the official {@code DiT} of {@code models_SVG.py} with patch size 1:
 * <pre>
 * x = ln1(x) + pos_embed                       # Linear(C, D): tokens are the latent's channels, no patch conv
 * c = t_embedder(t) + y_embedder(y)            # [cos, sin] frequencies of raw t in [0, 1]; null class = numClasses
 * x = blocks(x, c)                             # adaLN-Zero, QK-norm, GELU-tanh MLP
 * out = final_layer(x, c)                      # [N, T, 2C] with learn_sigma: the flow uses channels 0..C-1
 * </pre>
 * Parameter names are the official state-dict keys, so the released {@code {"ema": ...}} checkpoint loads by name.
 */
public final class SiT extends Module {
    private final SiTConfig cfg;
    private final Linear ln1;
    private final Linear tMlp0;
    private final Activation tMlp1;
    private final Linear tMlp2;
    private final Embedding yEmbedder;
    private final List<DiTBlock> blocks = new ArrayList<>();
    private final Activation finalAct;
    private final Linear finalAda;
    private final LayerNorm finalNorm;
    private final Linear finalLinear;
    private INDArray xIn;
    private INDArray normedOut;

    public SiT(SiTConfig cfg) {
        this.cfg = cfg;
        int d = cfg.hiddenSize();
        ln1 = addModule("ln1", new Linear(cfg.inChannels(), d));
        declareParameter("pos_embed", 1, cfg.tokens(), d);
        tMlp0 = addModule("t_embedder.mlp.0", new Linear(256, d));
        tMlp1 = addModule("t_embedder.mlp.1", new Activation(Activation.Kind.SILU));
        tMlp2 = addModule("t_embedder.mlp.2", new Linear(d, d));
        yEmbedder = addModule("y_embedder.embedding_table", new Embedding(cfg.numClasses() + 1, d));
        for (int i = 0; i < cfg.depth(); i++) {
            blocks.add(addModule("blocks." + i, new DiTBlock(d, cfg.numHeads(), cfg.mlpRatio(), cfg.qkNorm())));
        }
        finalAct = addModule("final_layer.adaLN_modulation.0", new Activation(Activation.Kind.SILU));
        finalAda = addModule("final_layer.adaLN_modulation.1", new Linear(d, 2L * d));
        finalNorm = addModule("final_layer.norm_final", new LayerNorm(d, 1e-6, false));
        finalLinear = addModule("final_layer.linear", new Linear(d, cfg.outChannels()));
    }

    /** The configuration a state dict was saved from (heads from the QK-norm width, which is the head size). */
    public static SiTConfig configOf(StateDict sd) throws WeightFileException {
        long[] ln1 = sd.get("ln1.weight").shape();
        int hidden = (int) ln1[0];
        int in = (int) ln1[1];
        int depth = 0;
        while (sd.contains("blocks." + depth + ".attn.qkv.weight")) {
            depth++;
        }
        boolean qkNorm = sd.contains("blocks.0.attn.q_norm.weight");
        if (!qkNorm) {
            throw new WeightFileException(sd.source(), "blocks.0.attn.q_norm.weight",
                    "missing: SVG's transformer uses QK-norm, and the head count is read from it");
        }
        int headDim = (int) sd.get("blocks.0.attn.q_norm.weight").numel();
        int classes = (int) sd.get("y_embedder.embedding_table.weight").shape()[0] - 1;
        int out = (int) sd.get("final_layer.linear.weight").shape()[0];
        int tokens = (int) sd.get("pos_embed").shape()[1];
        int side = (int) Math.round(Math.sqrt(tokens));
        double mlpRatio = (double) sd.get("blocks.0.mlp.fc1.weight").shape()[0] / hidden;
        return new SiTConfig("SiT-" + hidden + "x" + depth, in, side, hidden, depth, hidden / headDim, mlpRatio, classes,
                out == 2 * in, true, 0.1);
    }

    /** Reads an official checkpoint ({@code {"ema": state_dict}} or a plain state dict), strictly. */
    public static SiT load(Path file) throws WeightFileException {
        StateDict sd = StateDict.load(file);
        SiT model = new SiT(configOf(sd));
        model.build(DataType.FLOAT);
        model.parameters().loadStrict(sd);
        return model;
    }

    /**
     * In inference mode the blocks share one set of activation buffers (nothing outlives a block when no backward
     * follows), so sampling holds one block's activations instead of {@code depth} of them.
     */
    @Override
    public Module inference(boolean on) {
        super.inference(on);
        for (int i = 1; i < blocks.size(); i++) {
            if (on) {
                blocks.get(i).shareBuffers(blocks.get(0));
            } else {
                blocks.get(i).ownBuffers();
            }
        }
        return this;
    }

    public SiTConfig config() {
        return cfg;
    }

    /** The official {@code initialize_weights}: xavier-uniform Linears, N(0, 0.02) embeddings, adaLN-Zero. */
    public void initialize(long seed) {
        Random rng = new Random(seed);
        for (var e : parameters().views().entrySet()) {
            String n = e.getKey();
            INDArray v = e.getValue();
            if (n.endsWith(".bias")) {
                v.assign(0);
            } else if (v.rank() == 2 && n.endsWith(".weight")) {
                double bound = Math.sqrt(6.0 / (v.size(0) + v.size(1)));
                fill(v, () -> (rng.nextDouble() * 2 - 1) * bound);
            }
        }
        p("pos_embed").assign(SinCos.positionTable2d(cfg.hiddenSize(), cfg.inputSize(), cfg.inputSize(), p("pos_embed").dataType())
                .reshape(1, cfg.tokens(), cfg.hiddenSize()));
        fill(yEmbedder.weight(), () -> rng.nextGaussian() * 0.02);
        fill(tMlp0.weight(), () -> rng.nextGaussian() * 0.02);
        fill(tMlp2.weight(), () -> rng.nextGaussian() * 0.02);
        for (DiTBlock b : blocks) {
            b.adaLN().weight().assign(0);
            b.adaLN().bias().assign(0);
            b.attn().resetNorms();
        }
        finalAda.weight().assign(0);
        finalAda.bias().assign(0);
        finalLinear.weight().assign(0);
        finalLinear.bias().assign(0);
    }

    /** Fills a view from {@code f} in chunks, so a 2.7 GB model does not need a double copy of itself. */
    private static void fill(INDArray v, java.util.function.DoubleSupplier f) {
        INDArray flat = v.reshape(v.length());
        int chunk = 1 << 20;
        for (long start = 0; start < flat.length(); start += chunk) {
            int n = (int) Math.min(chunk, flat.length() - start);
            float[] d = new float[n];
            for (int i = 0; i < n; i++) {
                d[i] = (float) f.getAsDouble();
            }
            flat.get(NDArrayIndex.interval(start, start + n)).assign(Nd4j.createFromArray(d).castTo(v.dataType()));
        }
    }

    /**
     * The official {@code token_drop}: each label replaced by the null class with the configured probability. The
     * training step calls it with a generator seeded per step, so an interrupted run resumes exactly; forward itself
     * never drops labels.
     */
    public long[] dropLabels(long[] y, Random rng) {
        long[] out = y.clone();
        for (int i = 0; i < out.length; i++) {
            if (rng.nextDouble() < cfg.classDropoutProb()) {
                out[i] = cfg.nullClass();
            }
        }
        return out;
    }

    /**
     * x {@code [N, T, C]} (normalised latent tokens), t {@code [N]} in [0, 1], labels y {@code [N]} (the null class
     * for unconditional). Returns {@code [N, T, outChannels]} (this model's buffer).
     */
    public INDArray forward(INDArray x, double[] t, long[] labels) {
        long n = x.size(0);
        var type = x.dataType();
        // ln1's output buffer is its own and not needed by its backward, so positions are added in place
        INDArray h = ln1.forward(x);
        INDArray pos = p("pos_embed").reshape(cfg.tokens(), cfg.hiddenSize());
        for (int i = 0; i < n; i++) {
            h.slice(i).addi(pos);
        }
        INDArray tEmb = tMlp2.forward(tMlp1.forward(tMlp0.forward(SinCos.timestepFrequencies(t, 256, 10000, type))));
        INDArray c = buffers.get("c", type, n, cfg.hiddenSize()).assign(tEmb).addi(yEmbedder.forward(labels));
        for (DiTBlock b : blocks) {
            h = b.forward(h, c);
        }
        INDArray mod = finalAda.forward(finalAct.forward(c));
        INDArray shift = buffers.get("shift", type, n, cfg.hiddenSize());
        INDArray scale = buffers.get("scale", type, n, cfg.hiddenSize());
        shift.assign(mod.get(NDArrayIndex.all(),
                NDArrayIndex.interval(0, cfg.hiddenSize())));
        scale.assign(mod.get(NDArrayIndex.all(),
                NDArrayIndex.interval(cfg.hiddenSize(), 2L * cfg.hiddenSize())));
        INDArray normed = finalNorm.forward(h);
        INDArray modulated = buffers.like("modulated", normed);
        Kernels.get().modulate(normed, shift, scale, modulated);
        xIn = storesActivations() ? x : null;
        normedOut = storesActivations() ? normed : null;
        return finalLinear.forward(modulated);
    }

    /** Gradient of the loss w.r.t. the output {@code [N, T, outChannels]}; parameter gradients accumulate. */
    public void backward(INDArray dout) {
        stored(xIn);
        long n = dout.size(0);
        var type = dout.dataType();
        int d = cfg.hiddenSize();
        INDArray dModulated = finalLinear.backward(dout);
        INDArray dNormed = buffers.like("dNormed", dModulated);
        INDArray dShift = buffers.get("dShift", type, n, d);
        INDArray dScale = buffers.get("dScale", type, n, d);
        Kernels.get().modulateBackward(dModulated, normedOut, buffers.get("scale", type, n, d), dNormed, dShift, dScale);
        INDArray dh = finalNorm.backward(dNormed);
        INDArray dmod = buffers.get("dmod", type, n, 2L * d);
        dmod.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d)).assign(dShift);
        dmod.get(NDArrayIndex.all(), NDArrayIndex.interval(d, 2L * d)).assign(dScale);
        INDArray dc = buffers.get("dc", type, n, d).assign(finalAct.backward(finalAda.backward(dmod)));
        for (int i = blocks.size() - 1; i >= 0; i--) {
            dh = blocks.get(i).backward(dh, dc);
        }
        yEmbedder.backward(dc);
        tMlp0.backward(tMlp1.backward(tMlp2.backward(dc)));
        // pos_embed is fixed (requires_grad=False in the official model): its gradient stays zero
        ln1.backward(dh);
    }
}
