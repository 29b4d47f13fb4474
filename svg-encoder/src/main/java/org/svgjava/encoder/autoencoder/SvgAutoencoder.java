package org.svgjava.encoder.autoencoder;

import java.nio.file.Path;
import java.util.Random;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.WeightFileException;
import org.svgjava.core.nn.Module;
import org.svgjava.core.nn.ParameterSet;
import org.svgjava.encoder.decoder.LatentDecoder;
import org.svgjava.encoder.dino.DinoV3;
import org.svgjava.encoder.dino.DinoV3Config;
import org.svgjava.encoder.image.Preprocess;
import org.svgjava.encoder.init.TorchInit;

/**
 * The SVG autoencoder, the official {@code DinoDecoder}:
 * <pre>
 * x_dino = ImageNet-normalise(x)                                   # x in [-1, 1]
 * h      = DINOv3(x_dino).x_norm_patchtokens^T                     # [B, 384, N], frozen
 * h_vit  = extra_vit(x_dino)                                       # [B, 8, N], trainable
 * h_vit  = mask_token for a whole sample with probability 0.1      # training only
 * h_vit  = match_distribution(h, h_vit)
 * z      = cat(h, h_vit).view(B, 392, H/16, W/16)                  # the SVG latent
 * x_rec  = decoder(z)
 * </pre>
 * This module's parameters are exactly the official autoencoder optimiser's: {@code extra_vit.*}, {@code decoder.*}
 * and {@code mask_token}, with the Lightning checkpoint's names. DINOv3 is held beside them as its own frozen
 * model (the checkpoint's {@code encoder.*}) and always runs in eval mode.
 */
public final class SvgAutoencoder extends Module {
    private static final Logger log = LoggerFactory.getLogger(SvgAutoencoder.class);

    /** The pieces of one encoding (views of this model's buffers, valid until the next encode). */
    public record Encoding(INDArray dinoTokens, INDArray residualRaw, INDArray residualAligned, INDArray latent) {
    }

    private final SvgAutoencoderConfig cfg;
    private final DinoV3 dino;
    private final ResidualEncoder extraVit;
    private final LatentDecoder decoder;
    private final DistributionMatching matching;
    private final boolean hasMaskToken;
    private Random maskRandom;
    private DataType type = DataType.FLOAT;
    private boolean[] maskFlags;
    private long batch;
    private int gridH;
    private int gridW;

    /** An unbuilt autoencoder around a loaded DINOv3; {@code seed} seeds the dropout and mask streams. */
    public SvgAutoencoder(SvgAutoencoderConfig cfg, DinoV3 dino, long seed) {
        SvgAutoencoderConfig c = cfg.dino() == null ? cfg.withDino(dino.config()) : cfg;
        if (c.dino().embedDim() != dino.config().embedDim()) {
            throw new IllegalArgumentException("configured DINO width " + c.dino().embedDim() + " but the model has "
                    + dino.config().embedDim());
        }
        this.cfg = c;
        this.dino = dino;
        extraVit = addModule("extra_vit", new ResidualEncoder(c.residual(), seed));
        decoder = addModule("decoder", c.decoder().create());
        hasMaskToken = c.maskRatio() > 0;
        if (hasMaskToken) {
            declareParameter("mask_token", 1, c.residual().outputDim(), 1);
        }
        matching = new DistributionMatching(c.matching(), 0.01);
        maskRandom = new Random(seed);
    }

    /** A float model with freshly initialised trainable parts (PyTorch's initialisers, seeded). */
    public static SvgAutoencoder random(SvgAutoencoderConfig cfg, DinoV3 dino, long seed) {
        SvgAutoencoder ae = new SvgAutoencoder(cfg, dino, seed);
        ae.build(DataType.FLOAT);
        ae.initialize(seed);
        return ae;
    }

    /** Reads an official autoencoder checkpoint ({@code {"state_dict": ...}}, Lightning layout). */
    public static SvgAutoencoder load(Path checkpoint, SvgAutoencoderConfig cfg) throws WeightFileException {
        return fromStateDict(StateDict.load(checkpoint, "state_dict"), cfg);
    }

    /**
     * Builds DINOv3 from {@code encoder.*} and this model from {@code extra_vit.*}, {@code decoder.*} and
     * {@code mask_token}, strictly. Entries the official module holds but never uses for encoding or decoding
     * ({@code norm_vit.*}, the loss's {@code loss.*}) are skipped, and so is {@code mask_token} when the
     * configuration has no mask (as the authors' inference config, which loads non-strictly).
     */
    public static SvgAutoencoder fromStateDict(StateDict sd, SvgAutoencoderConfig cfg) throws WeightFileException {
        StateDict enc = sd.select("encoder.");
        DinoV3Config dcfg = cfg.dino() != null ? cfg.dino() : DinoV3Config.fromStateDict(enc);
        DinoV3 dino = DinoV3.fromStateDict(enc, dcfg);
        SvgAutoencoder ae = new SvgAutoencoder(cfg.withDino(dcfg), dino, 0);
        ae.build(DataType.FLOAT);
        TreeSet<String> skipped = new TreeSet<>();
        StateDict own = sd.filter(k -> {
            boolean mine = k.startsWith("extra_vit.") || k.startsWith("decoder.") || k.equals("mask_token") && ae.hasMaskToken;
            if (!mine && !k.startsWith("encoder.")) {
                skipped.add(k.contains(".") ? k.substring(0, k.indexOf('.') + 1) + "*" : k);
            }
            return mine;
        });
        ae.parameters().loadStrict(own);
        if (!skipped.isEmpty()) {
            log.info("{}: not part of the autoencoder's encode/decode path, skipped: {}", sd.source(), skipped);
        }
        return ae;
    }

    @Override
    public ParameterSet build(DataType t) {
        this.type = t;
        return super.build(t);
    }

    /** Initialises the residual encoder, the decoder and the mask token (N(0, 0.02)) as the official code does. */
    public void initialize(long seed) {
        extraVit.initialize(seed);
        decoder.initialize(seed + 1);
        if (hasMaskToken) {
            new TorchInit(seed + 2).normal(p("mask_token"), 0, 0.02);
        }
    }

    public SvgAutoencoderConfig config() {
        return cfg;
    }

    public DinoV3 dino() {
        return dino;
    }

    public ResidualEncoder residualEncoder() {
        return extraVit;
    }

    public LatentDecoder decoder() {
        return decoder;
    }

    public DistributionMatching matching() {
        return matching;
    }

    /** Latent channels: DINO width + residual channels (392 for the released model). */
    public int latentChannels() {
        return cfg.dino().embedDim() + cfg.residual().outputDim();
    }

    /** Restarts the dropout and mask streams, so training step k can draw from a generator seeded by (seed, k). */
    public void reseed(long seed) {
        extraVit.reseed(seed);
        maskRandom = new Random(seed ^ 0x5DEECE66DL);
    }

    /** The per-sample mask flags of the last training encode (all false in eval). */
    public boolean[] lastMaskFlags() {
        return maskFlags == null ? new boolean[0] : maskFlags.clone();
    }

    /** images {@code [B, 3, H, W]} in [-1, 1] to the latent {@code [B, C+8, H/16, W/16]} (this model's buffer). */
    public INDArray encode(INDArray images) {
        return encodeParts(images).latent();
    }

    /** As {@link #encode}, keeping the DINO tokens and the residual map before and after matching. */
    public Encoding encodeParts(INDArray images) {
        return encodeImageNet(Preprocess.imageNetFromMinusOneOne(images));
    }

    /** The encoding of already ImageNet-normalised images (what DiT training's data loader gives). */
    public Encoding encodeImageNet(INDArray xDino) {
        DinoV3.Features f = dino.forward(xDino);
        batch = xDino.size(0);
        gridH = f.gridH();
        gridW = f.gridW();
        long c = cfg.dino().embedDim();
        long d = cfg.residual().outputDim();
        long n = (long) gridH * gridW;
        INDArray h = buffers.get("h", type, batch, c, n).assign(f.patchTokens().permute(0, 2, 1));
        INDArray raw = extraVit.forward(xDino.dataType() == type ? xDino : xDino.castTo(type));
        if (raw.size(2) != n) {
            throw new IllegalArgumentException("DINO gives " + n + " tokens but the residual encoder " + raw.size(2));
        }
        INDArray hv = buffers.get("hVit", type, batch, d, n).assign(raw);
        maskFlags = isTraining() && hasMaskToken
                ? SampleMask.draw((int) batch, cfg.maskRatio(), maskRandom) : new boolean[(int) batch];
        SampleMask.apply(hv, hasMaskToken ? p("mask_token") : null, maskFlags);
        INDArray aligned = cfg.useOutNorm()
                ? matching.apply(h, hv, isTraining(), buffers.get("aligned", type, batch, d, n)) : hv;
        INDArray latent = buffers.get("latent", type, batch, c + d, gridH, gridW);
        INDArray l3 = latent.reshape('c', batch, c + d, n);
        l3.get(NDArrayIndex.all(), NDArrayIndex.interval(0, c), NDArrayIndex.all()).assign(h);
        l3.get(NDArrayIndex.all(), NDArrayIndex.interval(c, c + d), NDArrayIndex.all()).assign(aligned);
        return new Encoding(h, raw, aligned, latent);
    }

    /** latent {@code [B, C+8, h, w]} to images {@code [B, 3, h*f, w*f]} (the decoder's buffer). */
    public INDArray decode(INDArray latent) {
        return decoder.forward(latent);
    }

    /** The official {@code forward}: {@code decode(encode(images))}. */
    public INDArray reconstruct(INDArray images) {
        return decode(encode(images));
    }

    /** Backward of the last decode: accumulates decoder gradients, returns dL/d(latent). */
    public INDArray backwardDecode(INDArray dImages) {
        return decoder.backward(dImages);
    }

    /**
     * Backward of the last encode for dL/d(latent): the DINO channels are frozen (their gradient is dropped), the
     * residual channels go back through the matching (statistics detached), the mask (flagged samples feed
     * {@code mask_token}) and the residual encoder.
     */
    public void backwardEncode(INDArray dLatent) {
        long c = cfg.dino().embedDim();
        long d = cfg.residual().outputDim();
        long n = (long) gridH * gridW;
        INDArray dAligned = buffers.get("dAligned", type, batch, d, n).assign(dLatent.reshape('c', batch, c + d, n)
                .get(NDArrayIndex.all(), NDArrayIndex.interval(c, c + d), NDArrayIndex.all()));
        INDArray dh = cfg.useOutNorm() ? matching.backward(dAligned, dAligned) : dAligned;
        SampleMask.backward(dh, hasMaskToken ? g("mask_token") : null, maskFlags);
        extraVit.backward(dh);
    }

    /** dL/d(decoder's last-layer weight) for an image gradient, without touching the accumulated gradients. */
    public INDArray lastLayerWeightGradient(INDArray dImages) {
        return decoder.lastLayerWeightGradient(gradients(), "decoder.", dImages);
    }
}
