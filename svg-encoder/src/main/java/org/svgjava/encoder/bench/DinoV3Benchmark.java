package org.svgjava.encoder.bench;

import java.io.IOException;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.bench.ProcessMemory;
import org.svgjava.core.blas.GemmBenchmark;
import org.svgjava.encoder.dino.DinoV3;
import org.svgjava.encoder.dino.DinoV3Config;

/**
 * Full-size DINOv3 ViT-S/16+ (random weights) encoding 256x256 images, batch 8: images per second and the ratio to
 * the GEMM peak of this process. The official PyTorch code takes about 1.6 s per batch on the 2-core reference
 * machine. Arguments: {@code [batches] [batch size]}; prints a report to stdout.
 */
public final class DinoV3Benchmark {
    private DinoV3Benchmark() {
    }

    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int b = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        double peak = GemmBenchmark.peakGflops();
        DinoV3Config cfg = DinoV3Config.vits16plus();
        DinoV3 model = DinoV3.random(cfg, 0);
        INDArray x = Nd4j.randn(DataType.FLOAT, b, 3, 256, 256);
        model.forward(x);
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            model.forward(x);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double median = ms[n / 2];
        double flops = flops(cfg, b, 256);
        System.out.printf("GEMM peak in this process: %.1f GFLOP/s%n", peak);
        System.out.printf("DINOv3 ViT-S/16+ forward, batch %d at 256x256: %.0f ms median (best %.0f), %.1f images/s%n",
                b, median, ms[0], b * 1000 / median);
        System.out.printf("  %.1f GFLOP/s = %.2f of GEMM peak; PyTorch reference 1600 ms per batch of 8: ratio %.2f%n",
                flops / median / 1e6, flops / median / 1e6 / peak, median / 1600 * 8 / b);
        System.out.printf("  peak resident memory %d MB%n", ProcessMemory.peakMb());
    }

    /** Matrix-product FLOPs of one forward (patch embedding, qkv, attention, projection, feed-forward). */
    static double flops(DinoV3Config c, int b, int size) {
        long hw = (long) (size / 16) * (size / 16);
        long t = hw + 1 + c.storageTokens();
        long d = c.embedDim();
        long ffn = c.ffnHidden() * (c.swiglu() ? 3L : 2L);
        double block = 2.0 * b * t * d * (3 * d + d + ffn) + 2.0 * 2 * b * t * t * d;
        return c.depth() * block + 2.0 * b * hw * d * 3 * 16 * 16;
    }
}
