package org.svgjava.train.autoencoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.encoder.autoencoder.DistributionMatching;
import org.svgjava.encoder.autoencoder.ResidualEncoderConfig;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.autoencoder.SvgAutoencoderConfig;
import org.svgjava.encoder.decoder.VitDecoderConfig;
import org.svgjava.encoder.dino.DinoV3;
import org.svgjava.encoder.dino.DinoV3Config;
import org.svgjava.encoder.loss.NLayerDiscriminator;
import org.svgjava.encoder.train.AutoencoderTrainingStep;

class AutoencoderTrainerTest {
    @TempDir
    Path tmp;

    /** A toy stage 1 whose discriminator switches on at step 3, so the adaptive weight is exercised too. */
    static AutoencoderTrainingStep step() {
        DinoV3 dino = DinoV3.random(DinoV3Config.of("tiny", 32, 1, 2, false, 64), 1);
        SvgAutoencoderConfig cfg = new SvgAutoencoderConfig(dino.config(),
                new ResidualEncoderConfig(32, 16, 1, 2, 16, 32, 8, 0.1, 0.1),
                new VitDecoderConfig(40, 2, 16, 32, 1, 2, 2.0), 0.1, true, DistributionMatching.Mode.BATCH);
        SvgAutoencoder ae = SvgAutoencoder.random(cfg, dino, 2);
        NLayerDiscriminator disc = NLayerDiscriminator.random(3, 8, 1, 3);
        return new AutoencoderTrainingStep(ae, disc, null,
                AutoencoderTrainingStep.Settings.official().withLr(1e-3).withDiscStart(3), 4);
    }

    static INDArray batch(long k, int n) {
        Nd4j.getRandom().setSeed(100 + k);
        return Nd4j.rand(DataType.FLOAT, n, 3, 32, 32).muli(2).subi(1);
    }

    @Test
    void anInterruptedRunResumesToTheSameWeights() throws Exception {
        AutoencoderTrainingStep straight = step();
        new AutoencoderTrainer(straight, AutoencoderTrainerTest::batch,
                AutoencoderTrainer.Settings.defaults(6, 2).withCheckpointEvery(3), tmp.resolve("a")).run();

        AutoencoderTrainer.Settings half = AutoencoderTrainer.Settings.defaults(3, 2).withCheckpointEvery(3);
        new AutoencoderTrainer(step(), AutoencoderTrainerTest::batch, half, tmp.resolve("b")).run();
        AutoencoderTrainingStep resumed = step();
        var losses = new AutoencoderTrainer(resumed, AutoencoderTrainerTest::batch, half.withTotalSteps(6),
                tmp.resolve("b")).run();
        assertThat(losses).hasSize(3);
        assertThat(resumed.autoencoder().parameters().flat()).isEqualTo(straight.autoencoder().parameters().flat());
        assertThat(resumed.discriminator().parameters().flat()).isEqualTo(straight.discriminator().parameters().flat());
        assertThat(Files.readAllLines(tmp.resolve("b/metrics-autoencoder.jsonl"))).hasSize(6);
    }

    @Test
    void reconstructionGridsEveryNStepsLeaveTheRunUnchanged() throws Exception {
        AutoencoderTrainingStep plain = step();
        new AutoencoderTrainer(plain, AutoencoderTrainerTest::batch, AutoencoderTrainer.Settings.defaults(4, 2),
                tmp.resolve("a")).run();

        AutoencoderTrainingStep watched = step();
        INDArray fixed = batch(99, 3);
        new AutoencoderTrainer(watched, AutoencoderTrainerTest::batch, AutoencoderTrainer.Settings.defaults(4, 2),
                tmp.resolve("b")).run(new ReconstructionGrids(watched.autoencoder(), fixed,
                        new ReconstructionGrids.Settings(2, 3), tmp.resolve("b")));

        assertThat(watched.autoencoder().parameters().flat()).isEqualTo(plain.autoencoder().parameters().flat());
        assertThat(watched.discriminator().parameters().flat()).isEqualTo(plain.discriminator().parameters().flat());
        assertThat(ReconstructionGrids.fileFor(tmp.resolve("b"), 1)).doesNotExist();
        assertThat(ReconstructionGrids.fileFor(tmp.resolve("b"), 2)).exists();
        var grid = javax.imageio.ImageIO.read(ReconstructionGrids.fileFor(tmp.resolve("b"), 4).toFile());
        assertThat(grid.getWidth()).isEqualTo(6 * 32 + 7 * 2);
        assertThat(grid.getHeight()).isEqualTo(32 + 2 * 2);
    }
}
