package org.svgjava.encoder.loss;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.WeightFileException;
import org.svgjava.core.nn.BatchNorm2d;
import org.svgjava.core.nn.Conv2d;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.LeakyReLU;
import org.svgjava.core.nn.Module;
import org.svgjava.encoder.init.ModuleTree;
import org.svgjava.encoder.init.TorchInit;

/**
 * taming's PatchGAN {@code NLayerDiscriminator} (pix2pix), names {@code main.<index>.*}:
 * <pre>
 * Conv(in, ndf, 4, s2, p1) LeakyReLU(0.2)
 * n = 1 .. layers-1:  Conv(ndf*m', ndf*m, 4, s2, p1, no bias) BatchNorm LeakyReLU(0.2)     m = min(2^n, 8)
 * Conv(ndf*m', ndf*m, 4, s1, p1, no bias) BatchNorm LeakyReLU(0.2)                          m = min(2^layers, 8)
 * Conv(ndf*m, 1, 4, s1, p1)                                                                 # logit map
 * </pre>
 * In training mode the BatchNorms normalise with each call's batch statistics (a real and a fake batch are two
 * calls, as in the official loss) and update their running statistics; eval uses the running statistics.
 */
public final class NLayerDiscriminator extends Module implements Layer {
    private final List<Layer> main = new ArrayList<>();

    public NLayerDiscriminator(int inputNc, int ndf, int nLayers) {
        int idx = 0;
        idx = add(idx, new Conv2d(inputNc, ndf, 4, 2, 1, true));
        idx = add(idx, new LeakyReLU(0.2));
        int mult = 1;
        for (int n = 1; n < nLayers; n++) {
            int prev = mult;
            mult = Math.min(1 << n, 8);
            idx = add(idx, new Conv2d(ndf * prev, ndf * mult, 4, 2, 1, false));
            idx = add(idx, new BatchNorm2d(ndf * mult));
            idx = add(idx, new LeakyReLU(0.2));
        }
        int prev = mult;
        mult = Math.min(1 << nLayers, 8);
        idx = add(idx, new Conv2d(ndf * prev, ndf * mult, 4, 1, 1, false));
        idx = add(idx, new BatchNorm2d(ndf * mult));
        idx = add(idx, new LeakyReLU(0.2));
        add(idx, new Conv2d(ndf * mult, 1, 4, 1, 1, true));
    }

    /** The official stage-1 discriminator: 3 input channels, ndf 64, 3 layers (2,765,633 parameters). */
    public static NLayerDiscriminator official() {
        return new NLayerDiscriminator(3, 64, 3);
    }

    /** A float discriminator with taming's {@code weights_init}, seeded. */
    public static NLayerDiscriminator random(int inputNc, int ndf, int nLayers, long seed) {
        NLayerDiscriminator d = new NLayerDiscriminator(inputNc, ndf, nLayers);
        d.build(DataType.FLOAT);
        d.initialize(seed);
        return d;
    }

    /** The official checkpoint's {@code loss.discriminator.*} (or a plain discriminator state dict), strictly. */
    public static NLayerDiscriminator load(Path checkpoint, int inputNc, int ndf, int nLayers) throws WeightFileException {
        StateDict sd = StateDict.load(checkpoint);
        StateDict own = sd.contains("main.0.weight") ? sd : sd.select("loss.discriminator.");
        NLayerDiscriminator d = new NLayerDiscriminator(inputNc, ndf, nLayers);
        d.build(DataType.FLOAT);
        d.parameters().loadStrict(own);
        return d;
    }

    private int add(int idx, Module m) {
        main.add((Layer) addModule("main." + idx, m));
        return idx + 1;
    }

    /**
     * taming's {@code weights_init}: conv weights N(0, 0.02), BatchNorm weights N(1, 0.02) and biases 0; the two
     * conv biases keep PyTorch's default U(+-1/sqrt(fan_in)).
     */
    public void initialize(long seed) {
        TorchInit init = new TorchInit(seed);
        ModuleTree.walk(this, m -> {
            if (m instanceof Conv2d c) {
                init.torchDefault(c.weight(), c.bias());
                init.normal(c.weight(), 0, 0.02);
            } else if (m instanceof BatchNorm2d bn) {
                bn.resetParameters();
                init.normal(bn.weight(), 1, 0.02);
            }
        });
    }

    /** images {@code [B, C, H, W]} to logits {@code [B, 1, H', W']} (30x30 for 256x256 with 3 layers). */
    @Override
    public INDArray forward(INDArray x) {
        INDArray h = x;
        for (Layer l : main) {
            h = l.forward(h);
        }
        return h;
    }

    @Override
    public INDArray backward(INDArray dLogits) {
        INDArray d = dLogits;
        for (int i = main.size() - 1; i >= 0; i--) {
            d = main.get(i).backward(d);
        }
        return d;
    }
}
