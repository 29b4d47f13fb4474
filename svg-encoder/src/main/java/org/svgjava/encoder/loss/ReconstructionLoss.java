package org.svgjava.encoder.loss;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The official reconstruction term ({@code LPIPSWithDiscriminatorDecoder}, logvar fixed at 0):
 * <pre>
 * rec = |x - x_rec| + perceptual_weight * LPIPS(x, x_rec)     # LPIPS [B,1,1,1] broadcast over C, H, W
 * nll = sum(rec) / B
 * </pre>
 * so the LPIPS value of a sample counts C*H*W times. Gradients are w.r.t. the reconstruction only.
 */
public final class ReconstructionLoss {
    /** The values of one evaluation: the loss and its logged parts ({@code rec_loss} and {@code p_loss} are means). */
    public record Value(double nll, double recMean, double pMean) {
    }

    private final Lpips lpips;
    private final double perceptualWeight;

    /** @param lpips null for the L1 term alone (no VGG weights supplied) */
    public ReconstructionLoss(Lpips lpips, double perceptualWeight) {
        this.lpips = lpips;
        this.perceptualWeight = lpips == null ? 0 : perceptualWeight;
    }

    public boolean perceptual() {
        return perceptualWeight > 0;
    }

    /** x (target) and xRec {@code [B, C, H, W]}; writes dnll/dxRec into {@code dRec} when non-null. */
    public Value compute(INDArray x, INDArray xRec, INDArray dRec) {
        long b = x.size(0);
        double perSample = (double) x.length() / b;
        INDArray diff = xRec.sub(x);
        double l1 = Transforms.abs(diff, true).sumNumber().doubleValue();
        if (dRec != null) {
            // d|r - x|/dr = sign(r - x), 0 where equal (PyTorch's abs)
            dRec.assign(Transforms.sign(xRec.sub(x), false)).divi(b);
        }
        double pSum = 0;
        if (perceptual()) {
            INDArray p = lpips.forward(x, xRec);
            pSum = p.sumNumber().doubleValue();
            if (dRec != null) {
                INDArray dp = p.ulike().assign(perceptualWeight * perSample / b);
                dRec.addi(lpips.backward(dp));
            }
        }
        double rec = l1 + perceptualWeight * perSample * pSum;
        return new Value(rec / b, rec / x.length(), pSum / b);
    }
}
