package org.svgjava.core.testing;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.nn.Layer;
import org.svgjava.core.nn.Module;

/** Gradient checks of built modules: their parameters and gradients are the flat buffers' named views. */
public final class ModuleCheck {
    private ModuleCheck() {
    }

    /** A built, non-frozen single-input module as a {@link Differentiable}. */
    public static <M extends Module & Layer> Differentiable of(M module) {
        return new Differentiable() {
            @Override
            public INDArray forward(INDArray input) {
                return module.forward(input);
            }

            @Override
            public INDArray backward(INDArray gradOutput) {
                return module.backward(gradOutput);
            }

            @Override
            public Map<String, INDArray> parameters() {
                return module.parameters().views();
            }

            @Override
            public Map<String, INDArray> gradients() {
                return module.gradients().views();
            }
        };
    }
}
