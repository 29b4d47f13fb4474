package org.svgjava.encoder.bench;

import java.io.IOException;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.bench.ProcessMemory;
import org.svgjava.core.blas.GemmBenchmark;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.autoencoder.SvgAutoencoderConfig;
import org.svgjava.encoder.decoder.Decoder;
import org.svgjava.encoder.decoder.DecoderConfig;
import org.svgjava.encoder.dino.DinoV3;
import org.svgjava.encoder.dino.DinoV3Config;

/**
 * The official-size conv decoder (ch 128, ch_mult [1,1,2,2,4], 2 res blocks, attention at 16, z 392; random
 * weights) decoding a 16x16 latent to 256x256, forward in inference mode, and the full SVG encoder (DINOv3
 * ViT-S/16+ plus the residual ViT and distribution matching) on 256x256 images: seconds per batch and the ratio of
 * the achieved matrix-product rate to this process's GEMM peak. The official PyTorch decoder takes about 11.5 s
 * for a batch of 8 on the 2-core reference machine. Arguments: {@code [decoder batch] [repeats] [encoder batch]}
 * (encoder batch 0 measures the decoder alone); prints a report to stdout.
 */
public final class DecoderBenchmark {
    private DecoderBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int encBatch = args.length > 2 ? Integer.parseInt(args[2]) : batch;
        double peak = GemmBenchmark.peakGflops();
        System.out.printf("GEMM peak in this process: %.1f GFLOP/s%n", peak);

        DecoderConfig cfg = DecoderConfig.official();
        Decoder decoder = new Decoder(cfg);
        decoder.build(DataType.FLOAT);
        decoder.initialize(0);
        decoder.inference(true);
        INDArray z = Nd4j.randn(DataType.FLOAT, batch, cfg.zChannels(), cfg.latentResolution(), cfg.latentResolution());
        double flops = decoderFlops(cfg) * batch;
        // the 2-core machine is shared: each timed forward is also compared with a GEMM peak measured right after
        // it, so a load that comes and goes shows in both numbers of a pair, not only in the forward
        decoder.forward(z);
        double[] ms = new double[repeats];
        double[] paired = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            decoder.forward(z);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            paired[i] = flops / ms[i] / 1e6 / GemmBenchmark.measure(2048, 0, 3).gflops();
        }
        Arrays.sort(ms);
        Arrays.sort(paired);
        System.out.printf("conv decoder forward, batch %d, 16x16x392 -> 256x256: %.2f s median (best %.2f s), %.2f s/image%n",
                batch, ms[ms.length / 2] / 1000, ms[0] / 1000, ms[ms.length / 2] / 1000 / batch);
        System.out.printf("  %.1f GFLOP per image, %.1f GFLOP/s = %.2f of GEMM peak; PyTorch reference 11.5 s per 8 images:"
                        + " ratio %.2f%n", decoderFlops(cfg) / 1e9, flops / ms[ms.length / 2] / 1e6,
                flops / ms[ms.length / 2] / 1e6 / peak, ms[ms.length / 2] / 1000 / 11.5 * 8 / batch);
        System.out.printf("  each forward against the GEMM peak measured right after it: %.2f median, %.2f best%n",
                paired[paired.length / 2], paired[paired.length - 1]);
        if (encBatch == 0) {
            System.out.printf("  peak resident memory %d MB%n", ProcessMemory.peakMb());
            return;
        }

        SvgAutoencoderConfig aeCfg = SvgAutoencoderConfig.official();
        SvgAutoencoder ae = SvgAutoencoder.random(aeCfg.withDecoder(new DecoderConfig(32, new int[] {1}, 0, new int[0],
                392, 16, 3)), DinoV3.random(DinoV3Config.vits16plus(), 0), 0);
        ae.inference(true);
        INDArray images = Nd4j.rand(DataType.FLOAT, encBatch, 3, 256, 256).muli(2).subi(1);
        double[] enc = time(() -> ae.encode(images), repeats);
        double encFlops = (DinoV3Benchmark.flops(DinoV3Config.vits16plus(), encBatch, 256)
                + residualFlops(encBatch));
        System.out.printf("SVG encode (DINOv3 ViT-S/16+ + residual ViT), batch %d at 256x256: %.2f s median, %.1f images/s,"
                + " %.2f of GEMM peak%n", encBatch, enc[enc.length / 2] / 1000, encBatch * 1000 / enc[enc.length / 2],
                encFlops / enc[enc.length / 2] / 1e6 / peak);
        System.out.printf("  peak resident memory %d MB%n", ProcessMemory.peakMb());
    }

    private static double[] time(Runnable r, int repeats) {
        r.run();
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    /** Multiply-add FLOPs (x2) of one image through the conv decoder: convolutions and attention products. */
    static double decoderFlops(DecoderConfig c) {
        int[] mult = c.chMult();
        int levels = mult.length;
        int w = c.ch() * mult[levels - 1];
        int res = c.latentResolution();
        double f = conv(c.zChannels(), w, 3, res);
        f += 2 * resnet(w, w, res) + attention(w, res);
        for (int level = levels - 1; level >= 0; level--) {
            int out = c.ch() * mult[level];
            for (int j = 0; j <= c.numResBlocks(); j++) {
                f += resnet(w, out, res);
                w = out;
                if (c.attentionAt(res)) {
                    f += attention(w, res);
                }
            }
            if (level != 0) {
                res *= 2;
                f += conv(w, w, 3, res);
            }
        }
        return f + conv(w, c.outCh(), 3, res);
    }

    private static double conv(int in, int out, int k, int res) {
        return 2.0 * in * out * k * k * res * res;
    }

    private static double resnet(int in, int out, int res) {
        return conv(in, out, 3, res) + conv(out, out, 3, res) + (in != out ? conv(in, out, 1, res) : 0);
    }

    private static double attention(int c, int res) {
        double n = (double) res * res;
        return 4 * conv(c, c, 1, res) + 2 * 2.0 * c * n * n;
    }

    /** The residual ViT: patch conv, 6 blocks of width 384 over 257 tokens, the head. */
    static double residualFlops(int b) {
        double t = 257;
        double d = 384;
        double block = 2 * t * d * (3 * d + d + 2 * 1536) + 2 * 2 * t * t * d;
        return b * (6 * block + 2 * 256 * d * 3 * 256 + 2 * 256 * (d * d + d * 8));
    }
}
