package org.svgjava.core.nn;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.Golden;

/** The official DiT tables, from svg_dit_tiny (hidden 64, 16x16 grid). */
class SinCosTest {
    @Test
    void positionTableMatchesOfficial() throws Exception {
        SafeTensors.Contents io = Golden.safetensors("svg_dit_tiny/io.safetensors");
        Allclose.assertRelClose("pos_embed", SinCos.positionTable2d(64, 16, 16, DataType.FLOAT),
                io.get("pos_embed").toINDArray(DataType.FLOAT), 1e-6);
    }

    @Test
    void timestepFrequenciesMatchOfficial() throws Exception {
        SafeTensors.Contents io = Golden.safetensors("svg_dit_tiny/io.safetensors");
        double[] t = io.get("t").toDoubleArray();
        Allclose.assertRelClose("t_freq", SinCos.timestepFrequencies(t, 256, 10000, DataType.FLOAT),
                io.get("t_freq").toINDArray(DataType.FLOAT), 1e-6);
    }
}
