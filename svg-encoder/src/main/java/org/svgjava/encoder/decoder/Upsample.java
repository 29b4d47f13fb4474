package org.svgjava.encoder.decoder;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.kernels.ConvInput;
import org.svgjava.core.nn.Conv2d;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.Module;
import org.svgjava.core.nn.NearestUpsample2x;

/** The LDM {@code Upsample} with {@code resamp_with_conv}: nearest x2, then {@code conv} 3x3. */
public final class Upsample extends Module implements Layer {
    private final NearestUpsample2x up;
    private final Conv2d conv;

    public Upsample(int channels) {
        up = addModule("interpolate", new NearestUpsample2x());
        conv = addModule("conv", new Conv2d(channels, channels, 3, 1, 1));
    }

    @Override
    public INDArray forward(INDArray x) {
        // in inference the conv can read x at half resolution itself, and the upsampled tensor is never written
        INDArray y = conv.forwardOf(ConvInput.NEAREST_2X, x, null);
        return y != null ? y : conv.forward(up.forward(x));
    }

    @Override
    public INDArray backward(INDArray dy) {
        return up.backward(conv.backward(dy));
    }
}
