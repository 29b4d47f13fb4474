package org.svgjava.core.kernels;

import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.blas.GemmBenchmark;

/**
 * Milliseconds per call of CpuKernels and PortableKernels at DiT-S block sizes (B=8, T=256, D=384, H=6, dh=64,
 * MLP 1536), FLOAT, next to the time of the block's GEMMs, so the kernels' share of a training step can be read
 * off. Not a test: run its main on the test class path. Writes to stdout because it is a command-line report.
 */
public final class KernelsBenchmark {
    private static final int B = 8;
    private static final int T = 256;
    private static final int D = 384;
    private static final int H = 6;
    private static final int DH = 64;
    private static final int MLP = 1536;
    private static final DataType F = DataType.FLOAT;

    private KernelsBenchmark() {
    }

    private static INDArray rand(Random r, long... shape) {
        return KernelCases.rand(F, r, 1, shape);
    }

    /** Median ms of {@code reps} runs after {@code warmup}. */
    static double ms(Runnable op, int warmup, int reps) {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            op.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }

    /** One row of the report; returns the CPU time. */
    private static double row(String name, Kernels cpu, Kernels portable, java.util.function.Consumer<Kernels> op,
                              int reps) {
        double c = ms(() -> op.accept(cpu), 20, reps);
        double p = ms(() -> op.accept(portable), 3, Math.max(5, reps / 3));
        System.out.printf("%-34s %9.3f %10.3f %8.1fx%n", name, c, p, p / c);
        return c;
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Kernels cpu = new CpuKernels();
        Kernels portable = new PortableKernels();
        Random r = new Random(1);
        long n = (long) B * T;

        INDArray x = rand(r, B, T, D);
        INDArray y = x.ulike();
        INDArray dy = rand(r, B, T, D);
        INDArray dx = x.ulike();
        INDArray gamma = rand(r, D);
        INDArray beta = rand(r, D);
        INDArray dgamma = Nd4j.zeros(F, D);
        INDArray dbeta = Nd4j.zeros(F, D);
        INDArray mean = Nd4j.create(F, n);
        INDArray rstd = Nd4j.create(F, n);
        cpu.layerNorm(x, gamma, beta, 1e-6, y, mean, rstd);
        INDArray shift = rand(r, B, D);
        INDArray scale = rand(r, B, D);
        INDArray dshift = shift.ulike();
        INDArray dscale = shift.ulike();
        INDArray h = rand(r, B, T, D);
        INDArray hid = rand(r, n, MLP);
        INDArray hidOut = hid.ulike();
        INDArray dhid = rand(r, n, MLP);
        INDArray dhidOut = hid.ulike();
        INDArray logits = rand(r, (long) B * H * T, T);
        INDArray probs = logits.ulike();
        INDArray dprobs = rand(r, (long) B * H * T, T);
        INDArray dlogits = dprobs.ulike();
        INDArray q = rand(r, B * H, T, DH);
        INDArray k = rand(r, B * H, T, DH);
        INDArray v = rand(r, B * H, T, DH);
        INDArray p3 = Nd4j.create(F, B * H, T, T);
        INDArray scratch = p3.ulike();
        INDArray out = q.ulike();
        INDArray dq = q.ulike();
        INDArray dk = q.ulike();
        INDArray dv = q.ulike();
        double attnScale = 1 / Math.sqrt(DH);
        INDArray qkv = rand(r, B, T, 3 * D);
        INDArray dqkv = qkv.ulike();
        INDArray q4 = rand(r, B, H, T, DH);
        INDArray k4 = q4.ulike();
        INDArray v4 = q4.ulike();
        INDArray qkStats = Nd4j.create(F, 4, (long) B * H * T);
        INDArray dh0 = rand(r, DH);
        INDArray dh1 = rand(r, DH);
        INDArray dh2 = rand(r, DH);
        INDArray dh3 = rand(r, DH);
        INDArray gh0 = Nd4j.zeros(F, DH);
        INDArray gh1 = Nd4j.zeros(F, DH);
        INDArray gh2 = Nd4j.zeros(F, DH);
        INDArray gh3 = Nd4j.zeros(F, DH);
        cpu.splitHeads(qkv, 1e-5, dh0, dh1, dh2, dh3, q4, k4, v4, qkStats);

        double gemmPeak = GemmBenchmark.peakGflops();
        System.out.printf("CPU threads %d, float GEMM peak %.1f GFLOP/s (2048^3)%n",
                Runtime.getRuntime().availableProcessors(), gemmPeak);
        System.out.printf("%-34s %9s %10s %9s%n", "kernel (DiT-S, FLOAT)", "cpu ms", "portable ms", "speed-up");
        double perBlock = 0;
        // forward + backward of one block: 2 modulated LayerNorms, the head split with QK-norm, GELU, 2 gated
        // residuals (the attention core and the linear layers follow)
        row("layerNorm fwd [2048,384]", cpu, portable, kk -> kk.layerNorm(x, null, null, 1e-6, y, mean, rstd), reps);
        row("layerNorm fwd affine [2048,384]", cpu, portable,
                kk -> kk.layerNorm(x, gamma, beta, 1e-6, y, mean, rstd), reps);
        row("layerNorm bwd [2048,384]", cpu, portable,
                kk -> kk.layerNormBackward(dy, x, null, mean, rstd, dx, null, null), reps);
        perBlock += 2 * row("modulatedLayerNorm fwd [8,256,384]", cpu, portable,
                kk -> kk.modulatedLayerNorm(x, 1e-6, shift, scale, y, mean, rstd), reps);
        perBlock += 2 * row("modulatedLayerNorm bwd [8,256,384]", cpu, portable,
                kk -> kk.modulatedLayerNormBackward(dy, x, mean, rstd, scale, h, dx, dshift, dscale), reps);
        perBlock += row("splitHeads + QK-norm fwd", cpu, portable,
                kk -> kk.splitHeads(qkv, 1e-5, dh0, dh1, dh2, dh3, q4, k4, v4, qkStats), reps);
        perBlock += row("splitHeads + QK-norm bwd", cpu, portable,
                kk -> kk.splitHeadsBackward(q4, k4, v4, qkv, dh0, dh2, qkStats, dqkv, gh0, gh1, gh2, gh3), reps);
        row("layerNorm bwd affine [2048,384]", cpu, portable,
                kk -> kk.layerNormBackward(dy, x, gamma, mean, rstd, dx, dgamma, dbeta), reps);
        perBlock += row("gelu tanh fwd [2048,1536]", cpu, portable, kk -> kk.gelu(hid, hidOut, true), reps);
        perBlock += row("gelu tanh bwd [2048,1536]", cpu, portable,
                kk -> kk.geluBackward(hid, dhid, dhidOut, true), reps);
        row("gelu erf fwd [2048,1536]", cpu, portable, kk -> kk.gelu(hid, hidOut, false), reps);
        row("gelu erf bwd [2048,1536]", cpu, portable, kk -> kk.geluBackward(hid, dhid, dhidOut, false), reps);
        row("silu fwd [2048,1536]", cpu, portable, kk -> kk.silu(hid, hidOut), reps);
        row("softmax fwd [12288,256]", cpu, portable, kk -> kk.softmax(logits, probs), reps);
        row("softmax bwd [12288,256]", cpu, portable, kk -> kk.softmaxBackward(probs, dprobs, dlogits), reps);
        row("modulate fwd [8,256,384]", cpu, portable, kk -> kk.modulate(x, shift, scale, y), reps);
        row("modulate bwd [8,256,384]", cpu, portable,
                kk -> kk.modulateBackward(dy, x, scale, dx, dshift, dscale), reps);
        perBlock += 2 * row("gatedResidual fwd [8,256,384]", cpu, portable,
                kk -> kk.gatedResidual(x, h, shift, y), reps);
        perBlock += 2 * row("gatedResidual bwd [8,256,384]", cpu, portable,
                kk -> kk.gatedResidualBackward(dy, h, shift, dx, dshift), reps);
        double attnF = row("attention fwd [48,256,64]", cpu, portable,
                kk -> kk.attention(q, k, v, attnScale, p3, out), reps);
        double attnB = row("attention bwd [48,256,64]", cpu, portable,
                kk -> kk.attentionBackward(q, k, v, p3, attnScale, out, dq, dk, dv), reps);

        // the same attention with its softmax removed: what the five batched matmuls alone cost
        double mmF = ms(() -> {
            Nd4j.matmul(q, k, p3, false, true, false);
            Nd4j.matmul(p3, v, out, false, false, false);
        }, 5, reps);
        double mmB = ms(() -> {
            Nd4j.matmul(p3, out, dv, true, false, false);
            Nd4j.matmul(out, v, scratch, false, true, false);
            Nd4j.matmul(scratch, k, dq, false, false, false);
            Nd4j.matmul(scratch, q, dk, true, false, false);
        }, 5, reps);
        System.out.printf("  of which batched matmuls: fwd %.3f ms, bwd %.3f ms (%.1f / %.1f GFLOP/s)%n", mmF, mmB,
                2 * 2.0 * B * H * T * T * DH / mmF / 1e6, 4 * 2.0 * B * H * T * T * DH / mmB / 1e6);

        // the block's linear layers with bias, forward and backward (dX = dY W, dW += dY^T X, db): 12 GEMMs
        double linear = 0;
        int[][] layers = {{D, 3 * D}, {D, D}, {D, MLP}, {MLP, D}};
        for (int[] l : layers) {
            INDArray in = rand(r, n, l[0]);
            INDArray w = rand(r, l[1], l[0]);
            INDArray bias = rand(r, l[1]);
            INDArray o = Nd4j.create(F, n, l[1]);
            INDArray gw = w.ulike();
            INDArray gb = bias.ulike();
            INDArray gi = in.ulike();
            linear += ms(() -> {
                cpu.linear(in, w, bias, o);
                cpu.linearBackward(o, in, w, gi, gw, gb);
            }, 3, Math.max(5, reps / 3));
        }
        double linearFlops = 3 * 2.0 * n * D * (3 * D + D + MLP + MLP);
        double attnFlops = 6 * 2.0 * B * H * T * T * DH;
        System.out.printf("%nDiT-S block, fwd+bwd, FLOAT, CPU kernels:%n");
        System.out.printf("  linear GEMMs (12)            %8.2f ms  %6.1f GFLOP/s%n", linear, linearFlops / linear / 1e6);
        System.out.printf("  attention (matmuls+softmax)  %8.2f ms%n", attnF + attnB);
        System.out.printf("  norms, heads, gates, gelu    %8.2f ms%n", perBlock);
        double total = linear + attnF + attnB + perBlock;
        System.out.printf("  sum                          %8.2f ms  %6.1f GFLOP/s = %.2f of the GEMM peak "
                + "(GEMMs alone: %.2f)%n", total, (linearFlops + attnFlops) / total / 1e6,
                (linearFlops + attnFlops) / total / 1e6 / gemmPeak,
                (linearFlops + attnFlops) / (linear + mmF + mmB) / 1e6 / gemmPeak);
    }
}
