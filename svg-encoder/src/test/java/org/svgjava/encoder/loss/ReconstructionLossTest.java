package org.svgjava.encoder.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.svgjava.core.testing.Differentiable;
import org.svgjava.core.testing.GradientCheck;
import org.svgjava.encoder.TinyModels;

class ReconstructionLossTest {
    private static Differentiable asScalar(ReconstructionLoss loss, INDArray x) {
        return new Differentiable() {
            private INDArray grad;

            @Override
            public INDArray forward(INDArray rec) {
                grad = rec.ulike();
                return Nd4j.scalar(DataType.DOUBLE, loss.compute(x, rec, grad).nll()).reshape(1);
            }

            @Override
            public INDArray backward(INDArray dy) {
                return grad.muli(dy.getDouble(0));
            }
        };
    }

    @Test
    void l1IsTheOfficialSumOverPixelsMeanOverBatch() {
        INDArray x = TinyModels.images(3, 1, DataType.DOUBLE);
        INDArray rec = TinyModels.images(3, 2, DataType.DOUBLE);
        ReconstructionLoss.Value v = new ReconstructionLoss(null, 1.0).compute(x, rec, null);
        double sum = Transforms.abs(x.sub(rec)).sumNumber().doubleValue();
        assertThat(v.nll()).isCloseTo(sum / 3, within(1e-9));
        assertThat(v.recMean()).isCloseTo(sum / x.length(), within(1e-12));
        assertThat(v.pMean()).isZero();
        GradientCheck.check(asScalar(new ReconstructionLoss(null, 1.0), x), rec);
    }

    @Test
    void perceptualTermCountsOncePerPixelAndHasExactGradients() {
        Lpips lpips = Lpips.random(LpipsTest.WIDTHS, DataType.DOUBLE, 5);
        INDArray x = TinyModels.images(2, 3, DataType.DOUBLE);
        INDArray rec = TinyModels.images(2, 4, DataType.DOUBLE);
        ReconstructionLoss loss = new ReconstructionLoss(lpips, 1.0);
        ReconstructionLoss.Value v = loss.compute(x, rec, null);
        double l1 = Transforms.abs(x.sub(rec)).sumNumber().doubleValue();
        double p = lpips.forward(x, rec).sumNumber().doubleValue();
        assertThat(v.nll()).isCloseTo((l1 + 3 * 32 * 32 * p) / 2, within(1e-9));
        assertThat(v.pMean()).isCloseTo(p / 2, within(1e-12));
        GradientCheck.check(asScalar(loss, x), rec, TinyModels.sparse(100));
    }
}
