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
        double peak = GemmBenchmark.peakGflops();
        System.out.printf("GEMM peak in this process: %.1f GFLOP/s; kernels: %s%n", peak,
                Kernels.get().getClass().getSimpleName());

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

        double flops = matmulFlops(b, t, d, heads);
        block.inference(true);
        double fwd = time(steps, () -> block.forward(x, c));
        block.inference(false);
        double scale = 2.0 / (b * (double) t * d);
        Runnable step = () -> {
            block.zeroGradients();
            INDArray out = block.forward(x, c);
            out.sub(target, dout).muli(scale);
            dc.assign(0);
            block.backward(dout, dc);
            opt.step();
        };
        step.run();
        long rssAfterWarmup = ProcessMemory.residentMb();
        double train = time(steps, step);
        long rssAfter = ProcessMemory.residentMb();

        System.out.printf("forward:       %7.1f ms  %6.1f GFLOP/s  %.2f of GEMM peak%n", fwd, flops / fwd / 1e6,
                flops / fwd / 1e6 / peak);
        System.out.printf("training step: %7.1f ms  %6.1f GFLOP/s  %.2f of GEMM peak (fwd+bwd+AdamW, 3x matmul FLOPs)%n",
                train, 3 * flops / train / 1e6, 3 * flops / train / 1e6 / peak);
        System.out.printf("resident memory: %d MB after warm-up, %d MB after %d more steps (peak %d MB)%n",
                rssAfterWarmup, rssAfter, steps, ProcessMemory.peakMb());
    }

    /** Median milliseconds over {@code n} runs after 10 warm-up runs (JIT compilation of the kernels). */
    static double time(int n, Runnable r) {
        for (int i = 0; i < 10; i++) {
            r.run();
        }
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[n / 2];
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
