package org.svgjava.diffusion.bench;

import java.io.IOException;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.bench.ProcessMemory;
import org.svgjava.core.blas.GemmBenchmark;
import org.svgjava.core.kernels.Kernels;
import org.svgjava.core.optim.AdamW;
import org.svgjava.diffusion.model.DiTBlock;

/**
 * One DiT block at SiT-S width (batch 8, 256 tokens, width 384, 6 heads, QK-norm, GELU-tanh MLP ratio 4):
 * forward, and a training step (forward, backward of an MSE loss, AdamW), against the GEMM peak of this process.
 * FLOPs count the matrix products only (2MNK each; x3 for a training step), as the project's targets do.
 *
 * <p>Prints to stdout: it is a command-line report. Arguments: {@code [steps] [kernels: cpu|portable]}.
 */
public final class DiTBlockBenchmark {
    private DiTBlockBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        if (args.length > 1) {
            System.setProperty("svgjava.kernels", args[1]);
        }
        int b = 8;
        int t = 256;
        int d = 384;
        int heads = 6;

        DiTBlock block = new DiTBlock(d, heads, 4.0, true);
        block.build(DataType.FLOAT);
        Nd4j.getRandom().setSeed(0);
        block.parameters().flat().assign(Nd4j.randn(DataType.FLOAT, block.parameters().numel()).muli(0.02));
        INDArray x = Nd4j.randn(DataType.FLOAT, b, t, d);
        INDArray c = Nd4j.randn(DataType.FLOAT, b, d);
        INDArray target = Nd4j.randn(DataType.FLOAT, b, t, d);
        INDArray dout = Nd4j.create(DataType.FLOAT, b, t, d);
        INDArray dc = Nd4j.create(DataType.FLOAT, b, d);
        AdamW opt = new AdamW(block.parameters(), block.gradients(), 1e-4, 0.9, 0.999, 1e-8, 0.0);
        double scale = 2.0 / (b * (double) t * d);
        Runnable forward = () -> {
            block.inference(true);
            block.forward(x, c);
            block.inference(false);
        };
        Runnable step = () -> {
            block.zeroGradients();
            INDArray out = block.forward(x, c);
            Kernels.get().squaredError(out, target, scale, dout);
            Kernels.get().zero(dc);
            block.backward(dout, dc);
            opt.step();
        };

        // this VM's GEMM speed drifts by 10-20 % within a minute, so the peak is sampled between rounds of steps
        // and each round is divided by the peak next to it; the medians are reported
        int rounds = Math.max(4, steps / 10);
        int perRound = Math.max(3, steps / rounds);
        GemmBenchmark.Probe probe = new GemmBenchmark.Probe(2048);
        time(10, forward);
        time(10, step);
        long rssAfterWarmup = ProcessMemory.residentMb();
        double[] peak = new double[rounds];
        double[] fwd = new double[rounds];
        double[] train = new double[rounds];
        double[] fwdRatio = new double[rounds];
        double[] trainRatio = new double[rounds];
        double flops = matmulFlops(b, t, d, heads);
        for (int r = 0; r < rounds; r++) {
            peak[r] = probe.measure(1, 5).gflops();
            fwd[r] = time(perRound, forward);
            train[r] = time(perRound, step);
            fwdRatio[r] = flops / fwd[r] / 1e6 / peak[r];
            trainRatio[r] = 3 * flops / train[r] / 1e6 / peak[r];
        }
        long rssAfter = ProcessMemory.residentMb();

        System.out.printf("GEMM peak in this process: %.1f GFLOP/s (median of %d samples between the rounds, %.1f-%.1f);"
                + " kernels: %s%n", median(peak), rounds, min(peak), max(peak), Kernels.get().getClass().getSimpleName());
        System.out.printf("forward:       %7.1f ms  %6.1f GFLOP/s  %.2f of GEMM peak%n", median(fwd),
                flops / median(fwd) / 1e6, median(fwdRatio));
        System.out.printf("training step: %7.1f ms  %6.1f GFLOP/s  %.2f of GEMM peak (fwd+bwd+AdamW, 3x matmul FLOPs)%n",
                median(train), 3 * flops / median(train) / 1e6, median(trainRatio));
        // resident memory also grows while the Java heap is first touched: run with -Xms equal to -Xmx and
        // -XX:+AlwaysPreTouch to see native growth alone
        System.out.printf("resident memory: %d MB after warm-up, %d MB after %d more steps (peak %d MB)%n",
                rssAfterWarmup, rssAfter, rounds * perRound, ProcessMemory.peakMb());
    }

    /** Median milliseconds over {@code n} runs (the callers warm up first). */
    static double time(int n, Runnable r) {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(ms);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }

    /** Matrix-product FLOPs of one block forward. */
    static double matmulFlops(long b, long t, long d, long heads) {
        long n = b * t;
        double linear = 2.0 * n * d * (3 * d + d + 4 * d + 4 * d);
        double attention = 2.0 * 2 * b * t * t * d;
        double ada = 2.0 * b * d * 6 * d;
        return linear + attention + ada;
    }
}
