package org.svgjava.encoder.autoencoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.svgjava.core.io.StateDict;
import org.svgjava.core.io.WeightFileException;
import org.svgjava.core.testing.Golden;
import org.svgjava.encoder.decoder.DecoderConfig;
import org.svgjava.encoder.dino.DinoV3Config;

/** The toy autoencoder of golden/svg_autoencoder_tiny, its sizes read from the fixture's config.json. */
final class TinyAutoencoder {
    static final String DIR = "svg_autoencoder_tiny/";

    private TinyAutoencoder() {
    }

    static SvgAutoencoderConfig config() throws IOException, WeightFileException {
        JsonNode c = new ObjectMapper().readTree(Golden.path(DIR + "config.json").toFile());
        JsonNode r = c.get("residual");
        ResidualEncoderConfig residual = new ResidualEncoderConfig(c.get("image_size").asInt(), r.get("patch_size").asInt(),
                r.get("num_layers").asInt(), r.get("num_heads").asInt(), r.get("hidden_dim").asInt(), r.get("mlp_dim").asInt(),
                r.get("output_dim").asInt(), r.get("dropout").asDouble(), r.get("attention_dropout").asDouble());
        JsonNode d = c.get("decoder");
        DecoderConfig decoder = new DecoderConfig(d.get("ch").asInt(), ints(d.get("ch_mult")), d.get("num_res_blocks").asInt(),
                ints(d.get("attn_resolutions")), d.get("z_channels").asInt(), d.get("resolution").asInt(), d.get("out_ch").asInt());
        // the toy DINO (width 64) is not a published width: its 2 heads are given explicitly
        DinoV3Config dino = DinoV3Config.fromStateDict(checkpoint().select("encoder."), 2);
        return new SvgAutoencoderConfig(dino, residual, decoder, 0.1, true, DistributionMatching.Mode.BATCH);
    }

    static StateDict checkpoint() throws WeightFileException {
        return StateDict.load(Golden.path(DIR + "autoencoder.ckpt"), "state_dict");
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
