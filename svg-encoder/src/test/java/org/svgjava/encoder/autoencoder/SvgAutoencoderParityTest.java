package org.svgjava.encoder.autoencoder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.testing.Allclose;
import org.svgjava.core.testing.Golden;

/** The official autoencoder's outputs (golden/svg_autoencoder_tiny) from its Lightning checkpoint, in eval mode. */
class SvgAutoencoderParityTest {
    private static final Logger log = LoggerFactory.getLogger(SvgAutoencoderParityTest.class);
    private static SvgAutoencoder ae;
    private static SafeTensors.Contents io;

    @BeforeAll
    static void load() throws Exception {
        ae = SvgAutoencoder.load(Golden.path(TinyAutoencoder.DIR + "autoencoder.ckpt"), TinyAutoencoder.config());
        io = Golden.safetensors(TinyAutoencoder.DIR + "io.safetensors");
    }

    private static INDArray golden(String name) throws Exception {
        return io.get(name).toINDArray(DataType.FLOAT);
    }

    private static void check(String name, INDArray actual) throws Exception {
        Allclose.Comparison c = Allclose.assertRelClose(name, actual, golden(name), 1e-4);
        log.info("parity {}: relative error {}", name, String.format("%.2e", c.relError()));
    }

    @Test
    void everyStageOfEncodeAndDecodeMatchesTheOfficialModel() throws Exception {
        ae.train(false);
        SvgAutoencoder.Encoding e = ae.encodeParts(golden("x_img"));
        check("dino_patch_tokens", e.dinoTokens());
        check("residual_raw", e.residualRaw());
        check("residual_aligned", e.residualAligned());
        check("latent", e.latent());
        check("decoded", ae.decode(e.latent()));
        assertThat(ae.lastMaskFlags()).containsOnly(false);
        check("decoded", ae.reconstruct(golden("x_img")));
    }

    @Test
    void decoderAloneReproducesTheOfficialImageFromTheOfficialLatent() throws Exception {
        ae.train(false);
        check("decoded", ae.decode(golden("latent")));
    }

    /** Inference mode fuses swish and upsampling into the convolutions' input copies: same image. */
    @Test
    void decoderInInferenceModeReproducesTheOfficialImage() throws Exception {
        ae.train(false);
        ae.inference(true);
        try {
            check("decoded", ae.decode(golden("latent")));
        } finally {
            ae.inference(false);
        }
    }

    @Test
    void imageNetInputGivesTheSameLatent() throws Exception {
        ae.train(false);
        check("latent", ae.encodeImageNet(golden("x_dino")).latent());
    }
}
