package org.svgjava.encoder.loss;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.TensorData;
import org.svgjava.core.io.WeightFileException;
import org.svgjava.core.nn.Conv2d;
import org.svgjava.core.nn.Module;
import org.svgjava.encoder.init.TorchInit;

/**
 * The LPIPS perceptual distance of taming / LDM ({@code taming/modules/losses/lpips.py}, VGG16 variant):
 * <pre>
 * a, b = (x0 - shift) / scale, (x1 - shift) / scale        # shift [-.030, -.088, -.188], scale [.458, .448, .450]
 * for the five VGG16 maps k:  d_k = (f_k(a)/(|f_k(a)|+1e-10) - f_k(b)/(|f_k(b)|+1e-10))^2   # unit norm over channels
 * LPIPS = sum_k mean_{h,w} lin_k(d_k)                       # lin_k: 1x1 conv C_k -> 1, no bias, weights >= 0
 * </pre>
 * Names are taming's ({@code net.slice<s>.<i>.*}, {@code lin<k>.model.1.weight}). The weights are not in this
 * project: {@link #load} takes torchvision's VGG16 ({@code vgg16-397923af.pth}, ImageNet, {@code features.*}) and
 * LPIPS's {@code vgg.pth} (v0.1, five {@code lin<k>.model.1.weight} of shape [1, C, 1, 1], 7 KB; vendored by taming
 * and SVG as {@code taming/modules/autoencoder/lpips/vgg.pth}); {@link #fromAutoencoderCheckpoint} takes both from
 * an official autoencoder checkpoint ({@code loss.perceptual_loss.*}).
 *
 * <p>The module is never trained; it is built with gradients only so that backward reaches the input. Its
 * {@code lin} dropout (p 0.5 in taming, active when Lightning puts the loss in train mode) is not applied: LPIPS
 * here is the deterministic eval-mode distance.
 */
public final class Lpips extends Module {
    private static final double[] SHIFT = {-.030, -.088, -.188};
    private static final double[] SCALE = {.458, .448, .450};
    private static final double EPS = 1e-10;
    private static final Pattern TORCHVISION = Pattern.compile("^features\\.(\\d+)\\.(weight|bias)$");

    private final Vgg16Features net;
    private final Conv2d[] lins = new Conv2d[5];
    private final INDArray[] n0 = new INDArray[5];
    private final INDArray[] n1 = new INDArray[5];
    private final INDArray[] f1 = new INDArray[5];
    private final INDArray[] norm1 = new INDArray[5];

    public Lpips(int[] widths) {
        net = addModule("net", new Vgg16Features(widths));
        for (int k = 0; k < 5; k++) {
            lins[k] = addModule("lin" + k + ".model.1", new Conv2d(widths[k], 1, 1, 1, 0, false));
        }
    }

    /** VGG16 and LPIPS weights from their own files (see the class comment), as float. */
    public static Lpips load(Path torchvisionVgg16, Path lpipsVggLin) throws WeightFileException {
        Map<String, TensorData> t = new LinkedHashMap<>();
        StateDict vgg = StateDict.load(torchvisionVgg16);
        for (String name : vgg.names()) {
            Matcher m = TORCHVISION.matcher(name);
            if (m.matches() && Integer.parseInt(m.group(1)) < 30) {
                t.put("net.slice" + slice(Integer.parseInt(m.group(1))) + "." + m.group(1) + "." + m.group(2), vgg.get(name));
            }
        }
        StateDict lin = StateDict.load(lpipsVggLin);
        for (int k = 0; k < 5; k++) {
            String key = "lin" + k + ".model.1.weight";
            t.put(key, lin.get(key));
        }
        return fromStateDict(StateDict.of(t, torchvisionVgg16));
    }

    /** The {@code loss.perceptual_loss.*} of an official autoencoder checkpoint. */
    public static Lpips fromAutoencoderCheckpoint(Path checkpoint) throws WeightFileException {
        StateDict sd = StateDict.load(checkpoint, "state_dict").select("loss.perceptual_loss.");
        // the scaling layer's buffers are LPIPS's constants, built in here
        return fromStateDict(sd.filter(k -> !k.startsWith("scaling_layer.")));
    }

    /** Taming-named weights; the widths are read from them. */
    public static Lpips fromStateDict(StateDict sd) throws WeightFileException {
        int[] widths = new int[5];
        for (int k = 0; k < 5; k++) {
            widths[k] = (int) sd.get("lin" + k + ".model.1.weight").shape()[1];
        }
        Lpips l = new Lpips(widths);
        l.build(DataType.FLOAT);
        l.parameters().loadStrict(sd);
        return l;
    }

    /** Seeded random weights of the right kind (for tests): PyTorch-default convs, non-negative lin weights. */
    public static Lpips random(int[] widths, DataType type, long seed) {
        Lpips l = new Lpips(widths);
        l.build(type);
        TorchInit init = new TorchInit(seed);
        org.svgjava.encoder.init.ModuleTree.walk(l.net, m -> {
            if (m instanceof Conv2d c) {
                init.torchDefault(c.weight(), c.bias());
            }
        });
        for (Conv2d lin : l.lins) {
            init.uniform(lin.weight(), 0, 1.0 / lin.weight().size(1));
        }
        return l;
    }

    private static int slice(int index) {
        return index < 4 ? 1 : index < 9 ? 2 : index < 16 ? 3 : index < 23 ? 4 : 5;
    }

    /** LPIPS(x0, x1) per sample, {@code [B]}; x0 is the reference (no gradient), x1 the one {@link #backward} differentiates. */
    public INDArray forward(INDArray x0, INDArray x1) {
        DataType type = lins[0].weight().dataType();
        INDArray[] taps0 = net.forward(scaled("in0", x0, type));
        for (int k = 0; k < 5; k++) {
            // the network's buffers are reused by the second pass: keep normalised copies
            n0[k] = normalise(taps0[k], buffers.like("n0_" + k, taps0[k]), null);
        }
        INDArray[] taps1 = net.forward(scaled("in1", x1, type));
        long b = x0.size(0);
        INDArray out = buffers.get("out", type, b).assign(0);
        for (int k = 0; k < 5; k++) {
            f1[k] = taps1[k];
            norm1[k] = buffers.get("norm1_" + k, type, b, 1, taps1[k].size(2), taps1[k].size(3));
            n1[k] = normalise(taps1[k], buffers.like("n1_" + k, taps1[k]), norm1[k]);
            INDArray d = buffers.like("diff" + k, n0[k]).assign(n0[k]).subi(n1[k]);
            d.muli(d);
            INDArray per = lins[k].forward(d);
            out.addi(per.reshape(b, per.length() / b).mean(1));
        }
        return out;
    }

    /** dL/dx1 for dL/d(LPIPS) {@code [B]}. */
    public INDArray backward(INDArray dOut) {
        INDArray[] dTaps = new INDArray[5];
        long b = dOut.size(0);
        for (int k = 0; k < 5; k++) {
            long hw = f1[k].size(2) * f1[k].size(3);
            INDArray dLin = buffers.get("dLin" + k, f1[k].dataType(), b, 1, f1[k].size(2), f1[k].size(3));
            dLin.assign(dOut.reshape(b, 1, 1, 1).div(hw).broadcast(dLin.shape()));
            INDArray dDiff = lins[k].backward(dLin);
            // d(n0 - n1)^2 / dn1 = 2 (n1 - n0)
            INDArray dn = buffers.like("dn" + k, n1[k]).assign(n1[k]).subi(n0[k]).muli(2).muli(dDiff);
            dTaps[k] = normaliseBackward(f1[k], norm1[k], dn, buffers.like("df" + k, dn));
        }
        INDArray dScaled = net.backward(dTaps);
        INDArray dx = buffers.like("dx", dScaled).assign(dScaled);
        for (int c = 0; c < 3; c++) {
            dx.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(c)).divi(SCALE[c]);
        }
        return dx;
    }

    private INDArray scaled(String key, INDArray x, DataType type) {
        INDArray s = buffers.get(key, type, x.shape()).assign(x);
        for (int c = 0; c < 3; c++) {
            s.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(c))
                    .subi(SHIFT[c]).divi(SCALE[c]);
        }
        return s;
    }

    /** taming's {@code normalize_tensor}: f / (sqrt(sum_c f^2) + eps); keeps the norm when asked. */
    private static INDArray normalise(INDArray f, INDArray out, INDArray normOut) {
        INDArray norm = Nd4j.math().sqrt(f.mul(f).sum(true, 1));
        if (normOut != null) {
            normOut.assign(norm);
        }
        return out.assign(f).divi(norm.addi(EPS));
    }

    /**
     * n = f / (r + eps), r = |f|: dn -> df = dn / (r + eps) - f (sum_c dn f) / ((r + eps)^2 r); the second term is
     * dropped where r = 0 (all-zero ReLU maps), where PyTorch would give NaN.
     */
    private static INDArray normaliseBackward(INDArray f, INDArray norm, INDArray dn, INDArray out) {
        INDArray denom = norm.add(EPS);
        INDArray coef = dn.mul(f).sum(true, 1).divi(denom.mul(denom));
        INDArray safeNorm = norm.dup();
        INDArray zero = norm.eq(0).castTo(norm.dataType());
        coef.divi(safeNorm.addi(zero)).muli(zero.rsub(1));
        return out.assign(dn).divi(denom).subi(f.mul(coef));
    }
}
