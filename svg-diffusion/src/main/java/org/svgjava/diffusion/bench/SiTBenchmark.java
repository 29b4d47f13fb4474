package org.svgjava.diffusion.bench;

import java.io.IOException;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.bench.ProcessMemory;
import org.svgjava.core.blas.GemmBenchmark;
import org.svgjava.diffusion.flow.Guidance;
import org.svgjava.diffusion.flow.SiTVelocity;
import org.svgjava.diffusion.model.SiT;
import org.svgjava.diffusion.model.SiTConfig;
import org.svgjava.diffusion.train.FlowTrainingStep;

/**
 * Whole-model numbers: the SiT-S training step at batch 8 (the official PyTorch code takes 3.1 s on the 2-core
 * reference machine) and SiT-XL sampling with CFG at batch 4 (seconds per step, peak resident memory against the
 * 2.7 GB of fp32 weights). Weights are random: speed does not depend on them.
 *
 * <p>Arguments: {@code train [steps]} or {@code sample [steps] [size]}; prints a report to stdout.
 */
public final class SiTBenchmark {
    private SiTBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        String what = args.length > 0 ? args[0] : "train";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        double peak = GemmBenchmark.peakGflops();
        System.out.printf("GEMM peak in this process: %.1f GFLOP/s%n", peak);
        if (what.equals("train")) {
            train(n, peak);
        } else {
            sample(n, args.length > 2 ? args[2] : "XL", peak);
        }
    }

    static void train(int steps, double peak) throws IOException {
        SiTConfig cfg = SiTConfig.S();
        SiT model = new SiT(cfg);
        model.build(DataType.FLOAT);
        model.initialize(0);
        // official init zeroes the adaLN and output layers; randomise them so every path does real work
        Nd4j.getRandom().setSeed(1);
        for (var e : model.parameters().views().entrySet()) {
            if (e.getKey().contains("adaLN") || e.getKey().startsWith("final_layer")) {
                e.getValue().assign(Nd4j.randn(DataType.FLOAT, e.getValue().shape()).muli(0.02));
            }
        }
        FlowTrainingStep step = new FlowTrainingStep(model, FlowTrainingStep.Settings.official(), 0);
        INDArray x = Nd4j.randn(DataType.FLOAT, 8, cfg.tokens(), cfg.inChannels());
        long[] y = {1, 2, 3, 4, 5, 6, 7, 8};
        for (int i = 0; i < 2; i++) {
            step.step(x, y);
        }
        double[] ms = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            step.step(x, y);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double median = ms[steps / 2];
        double flops = 3 * forwardFlops(cfg, 8);
        System.out.printf("SiT-S training step, batch 8 (fwd + bwd + AdamW + EMA): %.0f ms median (best %.0f)%n",
                median, ms[0]);
        System.out.printf("  %.1f GFLOP/s = %.2f of GEMM peak; PyTorch reference 3100 ms: ratio %.2f (target <= 0.6)%n",
                flops / median / 1e6, flops / median / 1e6 / peak, median / 3100);
        System.out.printf("  peak resident memory %d MB%n", ProcessMemory.peakMb());
    }

    static void sample(int steps, String size, double peak) throws IOException {
        SiTConfig cfg = switch (size) {
            case "S" -> SiTConfig.S();
            case "B" -> SiTConfig.B();
            case "L" -> SiTConfig.L();
            default -> SiTConfig.XL();
        };
        SiT model = new SiT(cfg);
        model.freeze();
        model.build(DataType.FLOAT);
        model.initialize(0);
        long weightsMb = model.parameters().numel() * 4 / (1 << 20);
        SiTVelocity v = new SiTVelocity(model, new long[] {1, 2, 3, 4}, Guidance.constant(4.0), steps);
        INDArray z = Nd4j.randn(DataType.FLOAT, 4, cfg.tokens(), cfg.inChannels());
        // measure the sampling's own peak, not the initialisation's garbage: reset the kernel's high-water mark
        System.gc();
        ProcessMemory.resetPeak();
        long before = ProcessMemory.residentMb();
        v.at(z, 0.0, 0);
        double[] ms = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            v.at(z, (double) i / steps, i);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double median = ms[steps / 2];
        double flops = forwardFlops(cfg, 8);
        System.out.printf("%s sampling, batch 4 with CFG (one batched forward of 8): %.2f s per step (best %.2f)%n",
                cfg.name(), median / 1000, ms[0] / 1000);
        System.out.printf("  %.1f GFLOP/s = %.2f of GEMM peak%n", flops / median / 1e6, flops / median / 1e6 / peak);
        long peakMb = ProcessMemory.peakMb();
        System.out.printf("  peak resident memory while sampling %d MB (%d MB before the first step); fp32 weights %d MB;"
                + " ratio %.2f (target < 2)%n", peakMb, before, weightsMb, (double) peakMb / weightsMb);
    }

    /** Matrix-product FLOPs of one forward at batch b. */
    static double forwardFlops(SiTConfig c, int b) {
        long d = c.hiddenSize();
        long t = c.tokens();
        double block = DiTBlockBenchmark.matmulFlops(b, t, d, c.numHeads());
        double io = 2.0 * b * t * d * (c.inChannels() + c.outChannels()) + 2.0 * b * d * 2 * d;
        return c.depth() * block + io;
    }
}
