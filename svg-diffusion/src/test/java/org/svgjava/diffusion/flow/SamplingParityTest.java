package org.svgjava.diffusion.flow;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.Golden;
import org.svgjava.diffusion.model.SiT;

/** golden/rectified_flow: the official sampler with svg_dit_tiny, every case within 1e-3. */
class SamplingParityTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "euler.constant.cfg4.0.steps5.shift0.15", "euler.constant.cfg4.0.steps10.shift1.0",
        "euler.linear.cfg4.0.steps5.shift0.15", "euler.linear.cfg4.0.steps10.shift1.0",
        "euler.late.cfg4.0.steps5.shift0.15", "euler.late.cfg4.0.steps10.shift1.0",
        "euler.constant.cfg1.0.steps5.shift0.15", "euler.constant.cfg1.0.steps10.shift1.0",
        "heun.constant.cfg4.0.steps5.shift0.15", "heun.constant.cfg4.0.steps10.shift1.0",
        "heun.linear.cfg4.0.steps5.shift0.15", "heun.linear.cfg4.0.steps10.shift1.0",
        "heun.late.cfg4.0.steps5.shift0.15", "heun.late.cfg4.0.steps10.shift1.0",
        "heun.constant.cfg1.0.steps5.shift0.15", "heun.constant.cfg1.0.steps10.shift1.0",
        "cond_only.euler.steps5.shift0.15",
    })
    void matchesOfficialSampler(String name) throws Exception {
        SafeTensors.Contents g = Golden.safetensors("rectified_flow/sampling.safetensors");
        SiT model = SiT.load(Golden.path("svg_dit_tiny/checkpoint.pt"));
        String[] p = name.split("\\.(?=[a-z])");
        boolean condOnly = name.startsWith("cond_only");
        String mode = condOnly ? p[1] : p[0];
        Guidance guidance = condOnly ? Guidance.none() : Guidance.parse(p[1], Double.parseDouble(p[2].substring(3)));
        int steps = Integer.parseInt(p[condOnly ? 2 : 3].substring(5));
        double shift = Double.parseDouble(p[condOnly ? 3 : 4].substring(5));
        Sampler sampler = mode.equals("euler") ? new EulerSampler(steps, shift) : new HeunSampler(steps, shift);
        INDArray z = sampler.sample(new SiTVelocity(model, g.get("y").toLongArray(), guidance, steps),
                g.get("z_init").toINDArray(DataType.FLOAT));
        Allclose.assertRelClose(name, z, g.get(name).toINDArray(DataType.FLOAT), 1e-3);
    }
}
