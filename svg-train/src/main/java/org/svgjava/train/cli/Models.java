package org.svgjava.train.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.WeightFileException;
import org.svgjava.diffusion.model.SiT;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.autoencoder.SvgAutoencoderConfig;
import org.svgjava.train.checkpoint.Checkpoint;

/** Loading the models the commands take, from official files or from this project's checkpoints. */
final class Models {
    private static final Logger log = LoggerFactory.getLogger(Models.class);

    private Models() {
    }

    /** Whether {@code file} is a checkpoint of this project's trainers (else an official or plain weight file). */
    static boolean isTrainingCheckpoint(Path file) throws WeightFileException {
        return file.getFileName().toString().endsWith(".safetensors")
                && "svg-java checkpoint 1".equals(SafeTensors.read(file).metadata().get("format"));
    }

    /**
     * A SiT from the official {@code {"ema": ...}} checkpoint, a plain state dict, or an svg-java training
     * checkpoint (its EMA weights), frozen for sampling.
     */
    static SiT sit(Path file) throws WeightFileException {
        StateDict sd = isTrainingCheckpoint(file) ? StateDict.load(file).select("ema.") : StateDict.load(file);
        SiT model = new SiT(SiT.configOf(sd));
        model.freeze();
        model.build(DataType.FLOAT);
        model.parameters().loadStrict(sd);
        return model;
    }

    /**
     * The autoencoder of a train-autoencoder checkpoint, built as {@code cfg} says (DINOv3 from its weights or the
     * seeded stand-in), or of an official Lightning {@code .ckpt}, which holds DINOv3 too and has the released
     * configuration.
     */
    static SvgAutoencoder autoencoder(Path file, AutoencoderYaml cfg) throws IOException {
        SvgAutoencoder ae;
        if (isTrainingCheckpoint(file)) {
            var dino = cfg.loadDino();
            ae = SvgAutoencoder.random(cfg.config(dino), dino, cfg.seed());
            Checkpoint.load(file).restore("autoencoder", ae.parameters());
        } else {
            log.info("{}: an official autoencoder checkpoint, read with the released configuration", file);
            ae = SvgAutoencoder.load(file, SvgAutoencoderConfig.official());
        }
        ae.train(false);
        return ae;
    }
}
