package org.svgjava.train.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.svgjava.encoder.autoencoder.DistributionMatching;
import org.svgjava.encoder.autoencoder.ResidualEncoderConfig;
import org.svgjava.encoder.autoencoder.SvgAutoencoderConfig;
import org.svgjava.encoder.decoder.DecoderConfig;
import org.svgjava.encoder.decoder.DecoderSpec;
import org.svgjava.encoder.decoder.VitDecoderConfig;
import org.svgjava.encoder.dino.DinoV3;
import org.svgjava.encoder.dino.DinoV3Config;
import org.svgjava.train.data.Dataset;
import org.svgjava.train.data.FashionMnistDataset;
import org.svgjava.train.data.ImageFolderDataset;
import org.svgjava.train.data.ProceduralDataset;
import picocli.CommandLine.Option;

/** The options that define a stage-1 model and its data, shared by train-autoencoder and encode. */
final class AutoencoderOptions {
    @Option(names = "--data", defaultValue = "builtin",
            description = "builtin (procedural classes), fashion-mnist, or an ImageFolder directory (default: ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--image-size", defaultValue = "256", description = "image side, a multiple of 16 (default: ${DEFAULT-VALUE})")
    int imageSize;

    @Option(names = "--dino", description = "DINOv3 weights (.pth or Hugging Face .safetensors); "
            + "without it a seeded random ViT-S/16+ stands in (a demonstration, not SVG)")
    Path dino;

    @Option(names = "--decoder", defaultValue = "conv",
            description = "conv (the official LDM decoder) or vit (default: ${DEFAULT-VALUE})")
    String decoder;

    @Option(names = "--seed", defaultValue = "0", description = "seed (default: ${DEFAULT-VALUE})")
    long seed;

    DinoV3 loadDino() throws IOException {
        return dino == null ? DinoV3.random(DinoV3Config.vits16plus(), seed) : DinoV3.load(dino);
    }

    /** The official configuration at this image size, with the chosen decoder. */
    SvgAutoencoderConfig config(DinoV3 d) {
        int z = d.config().embedDim() + 8;
        ResidualEncoderConfig r = ResidualEncoderConfig.official();
        ResidualEncoderConfig res = new ResidualEncoderConfig(imageSize, r.patchSize(), r.numLayers(), r.numHeads(),
                r.hiddenDim(), r.mlpDim(), r.outputDim(), r.dropout(), r.attentionDropout());
        DecoderConfig c = DecoderConfig.official();
        DecoderSpec dec = "vit".equals(decoder)
                ? new VitDecoderConfig(z, imageSize / 16, 16, 384, 6, 6, 4.0)
                : new DecoderConfig(c.ch(), c.chMult(), c.numResBlocks(), new int[] {imageSize / 16}, z, imageSize, 3);
        return new SvgAutoencoderConfig(d.config(), res, dec, 0.1, true, DistributionMatching.Mode.BATCH);
    }

    Dataset dataset() throws IOException {
        return switch (data) {
            case "builtin" -> ProceduralDataset.of(Math.max(32, Math.min(imageSize, 64)), 200, seed);
            case "fashion-mnist" -> FashionMnistDataset.load(FashionMnistDataset.Split.TRAIN);
            default -> ImageFolderDataset.open(Path.of(data));
        };
    }
}
