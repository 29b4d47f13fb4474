package org.svgjava.encoder.loss;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.nn.Conv2d;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.LeakyReLU;
import org.svgjava.core.nn.MaxPool2d;
import org.svgjava.core.nn.Module;

/**
 * torchvision's {@code vgg16().features[0:30]} cut into LPIPS's five slices (taming's {@code vgg16}), with the
 * names {@code slice<s>.<index>} where index is the position in torchvision's {@code features}: convs 3x3 pad 1
 * at 0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28, each followed by ReLU, max-pools 2x2 at 4, 9, 16, 23. The
 * outputs are relu1_2, relu2_2, relu3_3, relu4_3 and relu5_3. Widths are configurable so tests can use a small
 * network of the same shape; the real one is {@code [64, 128, 256, 512, 512]}.
 */
public final class Vgg16Features extends Module {
    private static final int[] CONVS_PER_STAGE = {2, 2, 3, 3, 3};
    /** torchvision indices of the slice outputs (the last ReLU of each stage). */
    private static final int[] TAPS = {3, 8, 15, 22, 29};

    private final int[] widths;
    private final List<Layer> layers = new ArrayList<>();

    public Vgg16Features(int[] widths) {
        if (widths.length != 5) {
            throw new IllegalArgumentException("VGG16 has 5 stages, got " + widths.length + " widths");
        }
        this.widths = widths.clone();
        int idx = 0;
        int in = 3;
        for (int stage = 0; stage < 5; stage++) {
            String slice = "slice" + (stage + 1) + ".";
            if (stage > 0) {
                layers.add(addModule(slice + idx++, new MaxPool2d(2, 2)));
            }
            for (int c = 0; c < CONVS_PER_STAGE[stage]; c++) {
                layers.add(addModule(slice + idx++, new Conv2d(in, widths[stage], 3, 1, 1)));
                layers.add(addModule(slice + idx++, LeakyReLU.relu()));
                in = widths[stage];
            }
        }
    }

    /** The real network's widths. */
    public static int[] vgg16Widths() {
        return new int[] {64, 128, 256, 512, 512};
    }

    public int[] widths() {
        return widths.clone();
    }

    /** The five feature maps (buffers of the ReLUs, valid until the next forward). */
    public INDArray[] forward(INDArray x) {
        INDArray[] taps = new INDArray[5];
        INDArray h = x;
        int t = 0;
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).forward(h);
            if (t < 5 && i == TAPS[t]) {
                taps[t++] = h;
            }
        }
        return taps;
    }

    /** Given dL/d(each feature map) (entries may be null), returns dL/dx. */
    public INDArray backward(INDArray[] dTaps) {
        INDArray g = null;
        int t = 4;
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (t >= 0 && i == TAPS[t]) {
                if (dTaps[t] != null) {
                    g = g == null ? dTaps[t] : g.add(dTaps[t]);
                }
                t--;
            }
            if (g != null) {
                g = layers.get(i).backward(g);
            }
        }
        return g;
    }
}
