package org.svgjava.diffusion.model;

/**
 * Size of the SVG diffusion transformer (the official {@code DiT} of {@code models_SVG.py} with patch 1), mirroring
 * {@code config/example_svg_xl.yaml}: {@code in_channels} latent channels per token, {@code input_size^2} tokens.
 */
public record SiTConfig(String name, int inChannels, int inputSize, int hiddenSize, int depth, int numHeads,
                        double mlpRatio, int numClasses, boolean learnSigma, boolean qkNorm, double classDropoutProb) {
    public static final int SVG_CHANNELS = 392;

    public static SiTConfig S() {
        return of("SVG-S", 384, 12, 6);
    }

    public static SiTConfig B() {
        return of("SVG-B", 768, 12, 12);
    }

    public static SiTConfig L() {
        return of("SVG-L", 1024, 24, 16);
    }

    /** The released model: 676,437,904 parameters. */
    public static SiTConfig XL() {
        return of("SVG-XL", 1152, 28, 16);
    }

    public static SiTConfig XXL() {
        return of("SVG-XXL", 1280, 32, 20);
    }

    private static SiTConfig of(String name, int hidden, int depth, int heads) {
        return new SiTConfig(name, SVG_CHANNELS, 16, hidden, depth, heads, 4.0, 1000, true, true, 0.1);
    }

    public SiTConfig withInChannels(int c) {
        return new SiTConfig(name, c, inputSize, hiddenSize, depth, numHeads, mlpRatio, numClasses, learnSigma, qkNorm, classDropoutProb);
    }

    public SiTConfig withClasses(int n) {
        return new SiTConfig(name, inChannels, inputSize, hiddenSize, depth, numHeads, mlpRatio, n, learnSigma, qkNorm, classDropoutProb);
    }

    public int tokens() {
        return inputSize * inputSize;
    }

    public int outChannels() {
        return learnSigma ? 2 * inChannels : inChannels;
    }

    /** The label id of the unconditional (classifier-free guidance) class. */
    public int nullClass() {
        return numClasses;
    }
}
