package org.svgjava.train.cli;

import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.WeightFileException;
import org.svgjava.diffusion.model.SiT;

/** Loading the models the commands take, from official files or from this project's checkpoints. */
final class Models {
    private Models() {
    }

    /**
     * A SiT from the official {@code {"ema": ...}} checkpoint, a plain state dict, or an svg-java training
     * checkpoint (its EMA weights), frozen for sampling.
     */
    static SiT sit(Path file) throws WeightFileException {
        StateDict sd;
        if (file.getFileName().toString().endsWith(".safetensors")
                && "svg-java checkpoint 1".equals(SafeTensors.read(file).metadata().get("format"))) {
            sd = StateDict.load(file).select("ema.");
        } else {
            sd = StateDict.load(file);
        }
        SiT model = new SiT(SiT.configOf(sd));
        model.freeze();
        model.build(DataType.FLOAT);
        model.parameters().loadStrict(sd);
        return model;
    }
}
