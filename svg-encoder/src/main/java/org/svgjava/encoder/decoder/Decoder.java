package org.svgjava.encoder.decoder;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.kernels.ConvInput;
import org.svgjava.core.kernels.Kernels;
import org.svgjava.core.nn.Conv2d;
import org.svgjava.core.nn.GroupNorm;
import org.svgjava.core.nn.Layer;
import org.svgjava.encoder.init.ModuleTree;
import org.svgjava.encoder.init.TorchInit;

/**
 * The LDM conv {@code Decoder} of the SVG autoencoder ({@code ldm/modules/diffusionmodules/model.py}) with the
 * official module names:
 * <pre>
 * h = conv_in(z); h = mid.block_1(h); h = mid.attn_1(h); h = mid.block_2(h)
 * for level L-1 .. 0:  for j in 0..num_res_blocks:  h = up.L.block.j(h); h = up.L.attn.j(h) (where attention)
 *                      h = up.L.upsample(h) (levels above 0)
 * return conv_out(swish(norm_out(h)))                      # unbounded, no tanh
 * </pre>
 */
public final class Decoder extends LatentDecoder {
    private final DecoderConfig cfg;
    private final Conv2d convIn;
    private final ResnetBlock midBlock1;
    private final AttnBlock midAttn1;
    private final ResnetBlock midBlock2;
    /** Everything between the mid blocks and norm_out, in execution order. */
    private final List<Layer> upPath = new ArrayList<>();
    private final GroupNorm normOut;
    private final Conv2d convOut;
    private INDArray normed;

    public Decoder(DecoderConfig cfg) {
        this.cfg = cfg;
        int[] mult = cfg.chMult();
        int levels = mult.length;
        int blockIn = cfg.ch() * mult[levels - 1];
        int res = cfg.latentResolution();
        convIn = addModule("conv_in", new Conv2d(cfg.zChannels(), blockIn, 3, 1, 1));
        midBlock1 = addModule("mid.block_1", new ResnetBlock(blockIn, blockIn));
        midAttn1 = addModule("mid.attn_1", new AttnBlock(blockIn));
        midBlock2 = addModule("mid.block_2", new ResnetBlock(blockIn, blockIn));
        // the widths and resolutions each level sees, walking the execution order L-1 .. 0
        int[] inWidth = new int[levels];
        int[] levelRes = new int[levels];
        for (int level = levels - 1, w = blockIn, r = res; level >= 0; level--) {
            inWidth[level] = w;
            levelRes[level] = r;
            w = cfg.ch() * mult[level];
            r = level != 0 ? 2 * r : r;
        }
        // PyTorch registers up[0] (full resolution) first, so the state dict lists it first
        List<List<Layer>> perLevel = new ArrayList<>();
        for (int level = 0; level < levels; level++) {
            perLevel.add(buildLevel(level, inWidth[level], cfg.ch() * mult[level], cfg.attentionAt(levelRes[level])));
        }
        for (int level = levels - 1; level >= 0; level--) {
            upPath.addAll(perLevel.get(level));
        }
        int last = cfg.ch() * mult[0];
        normOut = addModule("norm_out", new GroupNorm(32, last, 1e-6));
        convOut = addModule("conv_out", new Conv2d(last, cfg.outCh(), 3, 1, 1));
    }

    /** up.L: num_res_blocks + 1 ResnetBlocks, each followed by its AttnBlock where attention is on, then upsample. */
    private List<Layer> buildLevel(int level, int in, int out, boolean attention) {
        List<Layer> seq = new ArrayList<>();
        List<AttnBlock> attn = new ArrayList<>();
        for (int j = 0; j <= cfg.numResBlocks(); j++) {
            seq.add(addModule("up." + level + ".block." + j, new ResnetBlock(j == 0 ? in : out, out)));
            if (attention) {
                AttnBlock a = new AttnBlock(out);
                attn.add(a);
                seq.add(a);
            }
        }
        // registered after the blocks, as PyTorch's up.block then up.attn
        for (int j = 0; j < attn.size(); j++) {
            addModule("up." + level + ".attn." + j, attn.get(j));
        }
        if (level != 0) {
            seq.add(addModule("up." + level + ".upsample", new Upsample(out)));
        }
        return seq;
    }

    public DecoderConfig config() {
        return cfg;
    }

    /** The last layer ({@code conv_out}), whose weight the adaptive GAN weight is measured on. */
    public Conv2d convOut() {
        return convOut;
    }

    @Override
    public int upsampling() {
        return 1 << (cfg.levels() - 1);
    }

    /** PyTorch's defaults: every conv U(+-1/sqrt(fan_in)) for weight and bias, GroupNorm weight 1 and bias 0. */
    @Override
    public void initialize(long seed) {
        TorchInit init = new TorchInit(seed);
        ModuleTree.walk(this, m -> {
            if (m instanceof Conv2d c) {
                init.torchDefault(c.weight(), c.bias());
            } else if (m instanceof GroupNorm g) {
                g.resetParameters();
            }
        });
    }

    /** z {@code [B, z_channels, h, w]} to images {@code [B, out_ch, h*f, w*f]}. */
    @Override
    public INDArray forward(INDArray z) {
        if (z.rank() != 4 || z.size(1) != cfg.zChannels()) {
            throw new IllegalArgumentException("the decoder takes [B, " + cfg.zChannels() + ", h, w], got "
                    + java.util.Arrays.toString(z.shape()));
        }
        INDArray h = convIn.forward(z.dataType() == convIn.weight().dataType() ? z : z.castTo(convIn.weight().dataType()));
        h = midBlock2.forward(midAttn1.forward(midBlock1.forward(h)));
        for (Layer l : upPath) {
            h = l.forward(h);
        }
        INDArray n = normOut.forward(h);
        if (storesActivations()) {
            normed = n;
            INDArray a = buffers.like("act", n);
            Kernels.get().silu(n, a);
            return convOut.forward(a);
        }
        INDArray y = convOut.forwardOf(ConvInput.SILU, n, null);
        if (y != null) {
            return y;
        }
        Kernels.get().silu(n, n);
        return convOut.forward(n);
    }

    @Override
    public INDArray backward(INDArray dImages) {
        stored(normed);
        INDArray da = convOut.backward(dImages);
        INDArray dn = buffers.like("dn", da);
        Kernels.get().siluBackward(normed, da, dn);
        INDArray dh = normOut.backward(dn);
        for (int i = upPath.size() - 1; i >= 0; i--) {
            dh = upPath.get(i).backward(dh);
        }
        dh = midBlock1.backward(midAttn1.backward(midBlock2.backward(dh)));
        return convIn.backward(dh);
    }

    @Override
    public String lastLayerName() {
        return "conv_out";
    }

    @Override
    protected Layer lastLayer() {
        return convOut;
    }

    @Override
    protected INDArray lastLayerOutputGradient(INDArray dImages) {
        return dImages;
    }
}
