package org.svgjava.train.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.train.data.Pixels;
import org.svgjava.train.data.ProceduralDataset;
import org.svgjava.train.eval.Psnr;
import org.svgjava.train.report.ImageGrid;

/**
 * The stage-1 commands and the outputs built on them, at toy size: one toy autoencoder trained from a YAML file
 * with flags over it, then reconstruct, sample with decoding and train-diffusion with decoded sample grids.
 */
class PipelineCommandsTest {
    static final int SIZE = 32;
    static final int PAD = 2;

    @TempDir
    static Path tmp;
    static Path run;
    static Path checkpoint;

    @BeforeAll
    static void trainToyAutoencoder() throws Exception {
        Path yaml = tmp.resolve("stage1.yaml");
        Files.writeString(yaml, """
                model:
                  base_learning_rate: 2.0e-04
                  params:
                    ddconfig:
                      resolution: 32
                data:
                  params:
                    batch_size: 2
                    train:
                      params:
                        config:
                          size: 32
                lightning:
                  trainer:
                    max_steps: 7
                  callbacks:
                    image_logger:
                      params:
                        max_images: 3
                svgjava:
                  decoder: vit
                  vit_decoder: {hidden_size: 32, depth: 1, num_heads: 2, mlp_ratio: 2.0}
                """);
        run = tmp.resolve("ae");
        assertThat(SvgCommand.execute("train-autoencoder", "--config", yaml.toString(), "--out", run.toString(),
                "--steps", "2", "--recon-every", "1", "--lr", "3e-4")).isZero();
        checkpoint = run.resolve("checkpoints/step-0000002.safetensors");
    }

    @Test
    void flagsOverrideTheYamlWhichOverridesTheDefaults() throws Exception {
        JsonNode cfg = YamlConfig.YAML.readTree(run.resolve("config.yaml").toFile());
        assertThat(cfg.at("/lightning/trainer/max_steps").asLong()).isEqualTo(2);          // flag over YAML's 7
        assertThat(cfg.at("/model/base_learning_rate").asDouble()).isEqualTo(3e-4);        // flag over YAML's 2e-4
        assertThat(cfg.at("/data/params/batch_size").asInt()).isEqualTo(2);                // YAML over default 8
        assertThat(cfg.at("/svgjava/decoder").asText()).isEqualTo("vit");                  // YAML over default conv
        assertThat(cfg.at("/lightning/modelcheckpoint/params/every_n_train_steps").asLong()).isEqualTo(1000); // default
        assertThat(cfg.at("/model/params/ddconfig/z_channels").asInt()).isEqualTo(392);
        assertThat(checkpoint).exists();
        assertThat(run.resolve("checkpoints/step-0000003.safetensors")).doesNotExist();
        assertThat(SafeTensors.read(checkpoint).tensors().keySet()).anyMatch(k -> k.startsWith("autoencoder.decoder.decoder_blocks.0"))
                .noneMatch(k -> k.startsWith("autoencoder.decoder.decoder_blocks.1"));
    }

    @Test
    void stageOneWritesAReconstructionGridEveryStep() throws Exception {
        for (int step = 1; step <= 2; step++) {
            BufferedImage grid = ImageIO.read(run.resolve(String.format("reconstructions-step-%07d.png", step)).toFile());
            // three pairs in one row
            assertThat(grid.getWidth()).isEqualTo(6 * SIZE + 7 * PAD);
            assertThat(grid.getHeight()).isEqualTo(SIZE + 2 * PAD);
        }
    }

    @Test
    void reconstructPrintsThePsnrOfTheGridItWrites() throws Exception {
        // loose files in a folder tree, as a user would point at a photo folder
        Path photos = tmp.resolve("photos");
        Files.createDirectories(photos.resolve("sub"));
        ProceduralDataset shapes = ProceduralDataset.of(SIZE, 1, 7);
        for (int i = 0; i < 5; i++) {
            ImageGrid.write((i < 3 ? photos : photos.resolve("sub")).resolve("img" + i + ".png"),
                    List.of(shapes.get(i).pixels()), 1, 0);
        }
        Path out = tmp.resolve("recon.png");
        String printed = stdoutOf("reconstruct", "--autoencoder", checkpoint.toString(), "--out", out.toString(),
                "--pairs-per-row", "2", "--batch-size", "5", photos.toString());
        Matcher m = Pattern.compile("5 images reconstructed: PSNR ([0-9.]+) dB").matcher(printed);
        assertThat(m.find()).as(printed).isTrue();

        BufferedImage grid = ImageIO.read(out.toFile());
        assertThat(grid.getWidth()).isEqualTo(4 * SIZE + 5 * PAD);
        assertThat(grid.getHeight()).isEqualTo(3 * SIZE + 4 * PAD);
        List<Pixels> originals = new ArrayList<>();
        List<Pixels> reconstructions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            originals.add(tile(grid, 2 * i, 4));
            reconstructions.add(tile(grid, 2 * i + 1, 4));
        }
        // the first tile of each pair is the original file, unchanged (32 px: no resize, no crop)
        assertThat(originals.get(0)).isEqualTo(shapes.get(0).pixels());
        assertThat(Double.parseDouble(m.group(1))).isCloseTo(Psnr.of8Bit(originals, reconstructions), within(0.006));
        assertThat(tmp.resolve("recon-config.yaml")).exists();
        JsonNode used = YamlConfig.YAML.readTree(tmp.resolve("recon-config.yaml").toFile());
        assertThat(used.at("/options/--pairs-per-row").asInt()).isEqualTo(2);
        assertThat(used.at("/autoencoder/svgjava/decoder").asText()).as("the run's config.yaml was read").isEqualTo("vit");
    }

    @Test
    void reconstructTakesTheDataSetWhenNoFilesAreGiven() throws Exception {
        Path out = tmp.resolve("recon-data.png");
        String printed = stdoutOf("reconstruct", "--autoencoder", checkpoint.toString(), "--out", out.toString(),
                "--limit", "3");
        assertThat(printed).contains("3 images reconstructed");
        assertThat(ImageIO.read(out.toFile()).getWidth()).isEqualTo(6 * SIZE + 7 * PAD);
    }

    @Test
    void sampleDecodesToAGridWithOneRowPerLabelAndSinglePngs() throws Exception {
        Path dit = trainToySiT();
        Path out = tmp.resolve("s/samples.safetensors");
        assertThat(SvgCommand.execute("sample", "--dit", dit.toString(), "--stats", tmp.resolve("latents.safetensors")
                        .toString(), "--labels", "1,4,7", "--per-class", "2", "--steps", "2", "--batch-size", "4",
                "--autoencoder", checkpoint.toString(), "--png-dir", tmp.resolve("s/png").toString(),
                "--out", out.toString())).isZero();
        assertThat(SafeTensors.read(out).get("latents").shape()).containsExactly(6, 392, 2, 2);
        BufferedImage grid = ImageIO.read(tmp.resolve("s/samples.png").toFile());
        assertThat(grid.getWidth()).isEqualTo(2 * SIZE + 3 * PAD);
        assertThat(grid.getHeight()).isEqualTo(3 * SIZE + 4 * PAD);
        assertThat(ImageIO.read(tmp.resolve("s/png/class-7-1.png").toFile()).getWidth()).isEqualTo(SIZE);
        try (var files = Files.list(tmp.resolve("s/png"))) {
            assertThat(files.count()).isEqualTo(6);
        }
        assertThat(tmp.resolve("s/samples-config.yaml")).exists();
    }

    @Test
    void stageTwoWritesDecodedSampleGrids() throws Exception {
        Path dit = trainToySiT();
        Path grid = dit.getParent().getParent().resolve("samples-step-0000002.png");
        BufferedImage img = ImageIO.read(grid.toFile());
        // basic.sample_classes 8 of 10 classes, basic.sample_per_class 4, decoded to 32 px
        assertThat(img.getWidth()).isEqualTo(4 * SIZE + 5 * PAD);
        assertThat(img.getHeight()).isEqualTo(8 * SIZE + 9 * PAD);
        assertThat(dit.getParent().getParent().resolve("samples-step-0000001.png")).doesNotExist();
    }

    /** encode + train-diffusion once (2 steps, sample grids every 2, decoded); returns the SiT checkpoint. */
    private static synchronized Path trainToySiT() throws Exception {
        Path ckpt = tmp.resolve("dit/checkpoints/step-0000002.safetensors");
        if (Files.exists(ckpt)) {
            return ckpt;
        }
        Path latents = tmp.resolve("latents.safetensors");
        assertThat(SvgCommand.execute("encode", "--autoencoder", checkpoint.toString(), "--out", latents.toString(),
                "--limit", "20")).isZero();
        assertThat(tmp.resolve("latents-config.yaml")).exists();
        assertThat(SvgCommand.execute("train-diffusion", "--latents", latents.toString(), "--out",
                tmp.resolve("dit").toString(), "--steps", "2", "--batch-size", "4", "--depth", "1", "--hidden-size",
                "32", "--heads", "2", "--sample-every", "2", "--autoencoder", checkpoint.toString())).isZero();
        return ckpt;
    }

    private static Pixels tile(BufferedImage grid, int index, int columns) {
        int x0 = PAD + (index % columns) * (SIZE + PAD);
        int y0 = PAD + (index / columns) * (SIZE + PAD);
        return Pixels.fromBufferedImage(grid.getSubimage(x0, y0, SIZE, SIZE));
    }

    static String stdoutOf(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(SvgCommand.execute(args)).isZero();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
