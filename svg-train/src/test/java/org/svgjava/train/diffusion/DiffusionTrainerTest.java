package org.svgjava.train.diffusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.diffusion.flow.LatentStats;
import org.svgjava.diffusion.model.SiT;
import org.svgjava.diffusion.model.SiTConfig;
import org.svgjava.diffusion.train.NonFiniteLossException;
import org.svgjava.train.checkpoint.Checkpoint;

class DiffusionTrainerTest {
    static final SiTConfig TINY = new SiTConfig("tiny", 6, 2, 16, 1, 2, 2.0, 3, true, true, 0.1);

    @TempDir
    Path tmp;

    static LatentCache cache() {
        Nd4j.getRandom().setSeed(3);
        INDArray tokens = Nd4j.randn(DataType.FLOAT, 10, 4, 6).muli(2).addi(1);
        long[] labels = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
        LatentStats.Accumulator acc = new LatentStats.Accumulator(6);
        acc.add(tokens);
        return new LatentCache(tokens, labels, acc.result(), 3);
    }

    static SiT model() {
        SiT m = new SiT(TINY);
        m.build(DataType.FLOAT);
        m.initialize(5);
        return m;
    }

    static DiffusionTrainer.Settings settings(long steps) {
        return DiffusionTrainer.Settings.defaults(steps, 4).withCheckpointEvery(3).withWarmup(2)
                .withGradAccumulation(2).withSeed(7);
    }

    @Test
    void anInterruptedRunResumesToTheSameParameters() throws Exception {
        SiT straight = model();
        new DiffusionTrainer(straight, cache(), settings(6), tmp.resolve("a")).run(null);

        new DiffusionTrainer(model(), cache(), settings(3), tmp.resolve("b")).run(null);
        SiT resumed = model();
        var trainer = new DiffusionTrainer(resumed, cache(), settings(6), tmp.resolve("b"));
        var losses = trainer.run(null);
        assertThat(losses).hasSize(3);
        assertThat(resumed.parameters().flat()).isEqualTo(straight.parameters().flat());
        assertThat(Checkpoint.latest(tmp.resolve("b/checkpoints")).orElseThrow().getFileName().toString())
                .isEqualTo("step-0000006.safetensors");
        assertThat(Files.readAllLines(tmp.resolve("b/metrics-diffusion.jsonl"))).hasSize(6);
    }

    @Test
    void aNonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws Exception {
        LatentCache good = cache();
        new DiffusionTrainer(model(), good, settings(3), tmp.resolve("c")).run(null);
        INDArray poisoned = good.tokens().dup();
        poisoned.putScalar(new long[] {0, 0, 0}, Float.NaN);
        poisoned.putScalar(new long[] {5, 0, 0}, Float.NaN);
        LatentCache bad = new LatentCache(poisoned, good.labels(), good.stats(), 3);
        Path last = Checkpoint.latest(tmp.resolve("c/checkpoints")).orElseThrow();
        byte[] before = Files.readAllBytes(last);
        assertThatThrownBy(() -> new DiffusionTrainer(model(), bad, settings(6), tmp.resolve("c")).run(null))
                .isInstanceOf(NonFiniteLossException.class).hasMessageContaining("step 3");
        assertThat(Checkpoint.latest(tmp.resolve("c/checkpoints")).orElseThrow()).isEqualTo(last);
        assertThat(Files.readAllBytes(last)).isEqualTo(before);
    }

    @Test
    void latentCacheRoundTrips() throws Exception {
        LatentCache c = cache();
        Path f = tmp.resolve("latents.safetensors");
        c.write(f);
        LatentCache r = LatentCache.read(f);
        assertThat(r.tokens()).isEqualTo(c.tokens());
        assertThat(r.labels()).containsExactly(c.labels());
        assertThat(r.stats().mean()).isEqualTo(c.stats().mean());
        assertThat(r.numClasses()).isEqualTo(3);
    }
}
