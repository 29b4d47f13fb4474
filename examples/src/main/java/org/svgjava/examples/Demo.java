package org.svgjava.examples;

import org.svgjava.core.blas.GemmBenchmark;

/**
 * The main job. The end-to-end demo (train both stages on built-in data, sample every class, write grids) arrives
 * with the model and training issues; until then it checks what everything else stands on: that this process runs
 * the CPU's fast matrix-product kernels without any set-up by the user.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("svg-java: SVG latent diffusion (arXiv 2510.15301) on ND4J");
        System.out.println();
        System.out.println("Available now: weight files (safetensors, torch .pt/.pth/.ckpt), state dicts with strict");
        System.out.println("loading, full-speed BLAS without set-up, the numerics test kit.");
        System.out.println("To come: layers with exact backward passes, DINOv3, the SVG autoencoder, the SiT and its");
        System.out.println("samplers, the two-stage trainer and this demo's training run (see README.md).");
        System.out.println();
        System.out.println("GEMM benchmark (float, 2048^3):");
        GemmBenchmark.main(new String[] {"--compare"});
    }
}
