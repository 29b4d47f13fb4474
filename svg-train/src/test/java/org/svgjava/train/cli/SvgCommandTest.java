package org.svgjava.train.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.testing.Golden;
import org.svgjava.diffusion.flow.LatentStats;
import org.svgjava.train.diffusion.LatentCache;

class SvgCommandTest {
    @TempDir
    Path tmp;

    @Test
    void trainDiffusionThenSampleFromTheCheckpoint() throws Exception {
        Nd4j.getRandom().setSeed(1);
        var tokens = Nd4j.randn(DataType.FLOAT, 12, 4, 6);
        long[] labels = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2};
        LatentStats.Accumulator acc = new LatentStats.Accumulator(6);
        acc.add(tokens);
        Path latents = tmp.resolve("latents.safetensors");
        new LatentCache(tokens, labels, acc.result(), 3).write(latents);
        Path run = tmp.resolve("run");
        assertThat(SvgCommand.execute("train-diffusion", "--latents", latents.toString(), "--out", run.toString(),
                "--steps", "4", "--batch-size", "4", "--depth", "1", "--hidden-size", "32", "--heads", "2",
                "--ckpt-every", "2")).isZero();
        assertThat(run.resolve("config.yaml")).exists();
        Path ckpt = run.resolve("checkpoints/step-0000004.safetensors");
        assertThat(ckpt).exists();
        Path stats = tmp.resolve("stats.safetensors");
        assertThat(SvgCommand.execute("stats", latents.toString(), stats.toString())).isZero();
        Path out = tmp.resolve("samples.safetensors");
        assertThat(SvgCommand.execute("sample", "--dit", ckpt.toString(), "--stats", stats.toString(), "--labels",
                "0,2", "--steps", "3", "--cfg", "2.0", "--out", out.toString())).isZero();
        assertThat(SafeTensors.read(out).get("latents").shape()).containsExactly(2, 6, 2, 2);
    }

    @Test
    void bothStagesFromTheCommandLine() throws Exception {
        Path ae = tmp.resolve("ae");
        String[] model = {"--data", "builtin", "--image-size", "32", "--decoder", "vit"};
        assertThat(SvgCommand.execute(concat(new String[] {"train-autoencoder", "--out", ae.toString(), "--steps", "2",
                "--batch-size", "2", "--ckpt-every", "2"}, model))).isZero();
        Path latents = tmp.resolve("latents.safetensors");
        assertThat(SvgCommand.execute(concat(new String[] {"encode", "--autoencoder",
                ae.resolve("checkpoints/step-0000002.safetensors").toString(), "--out", latents.toString(),
                "--limit", "20"}, model))).isZero();
        LatentCache cache = LatentCache.read(latents);
        assertThat(cache.tokens().shape()).containsExactly(20, 4, 392);
        assertThat(cache.numClasses()).isEqualTo(10);
        assertThat(SvgCommand.execute("train-diffusion", "--latents", latents.toString(), "--out",
                tmp.resolve("dit").toString(), "--steps", "2", "--batch-size", "4", "--depth", "1", "--hidden-size",
                "32", "--heads", "2")).isZero();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void importsOfficialFilesAndExplainsEveryOption() throws Exception {
        Path out = tmp.resolve("dit.safetensors");
        assertThat(SvgCommand.execute("import", "--kind", "dit", Golden.path("svg_dit_tiny/checkpoint.pt").toString(),
                out.toString())).isZero();
        assertThat(SafeTensors.read(out).tensors()).hasSize(40);
        assertThat(SvgCommand.execute("sample", "--dit", Golden.path("svg_dit_tiny/checkpoint.pt").toString(),
                "--labels", "1", "--steps", "2", "--out", tmp.resolve("s.safetensors").toString())).isZero();
        // a wrong entry is an error exit, not a stack trace
        assertThat(SvgCommand.execute("import", "--kind", "autoencoder",
                Golden.path("svg_dit_tiny/checkpoint.pt").toString(), tmp.resolve("x.safetensors").toString())).isNotZero();
        assertThat(new picocli.CommandLine(new SvgCommand()).getSubcommands().keySet())
                .contains("demo", "train-autoencoder", "encode", "train-diffusion", "sample", "stats", "import", "bench");
    }
}
