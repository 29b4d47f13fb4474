package org.svgjava.train.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.svgjava.diffusion.flow.Guidance;
import org.svgjava.diffusion.flow.LatentGenerator;
import org.svgjava.diffusion.model.SiT;
import org.svgjava.diffusion.model.SiTConfig;
import org.svgjava.diffusion.train.FlowTrainingStep;
import org.svgjava.encoder.autoencoder.DistributionMatching;
import org.svgjava.encoder.autoencoder.ResidualEncoderConfig;
import org.svgjava.encoder.autoencoder.SvgAutoencoder;
import org.svgjava.encoder.autoencoder.SvgAutoencoderConfig;
import org.svgjava.encoder.decoder.VitDecoderConfig;
import org.svgjava.encoder.dino.DinoV3;
import org.svgjava.encoder.dino.DinoV3Config;
import org.svgjava.encoder.loss.NLayerDiscriminator;
import org.svgjava.encoder.train.AutoencoderTrainingStep;
import org.svgjava.train.autoencoder.AutoencoderInference;
import org.svgjava.train.autoencoder.AutoencoderTrainer;
import org.svgjava.train.diffusion.DiffusionTrainer;
import org.svgjava.train.diffusion.LatentCache;
import org.svgjava.train.eval.ProbeClassifier;
import org.svgjava.train.eval.Psnr;
import org.svgjava.train.report.ImageGrid;
import org.svgjava.train.report.LossCurves;
import org.svgjava.train.report.MetricsLog;
import org.svgjava.train.report.Progress;

/**
 * The end-to-end demo at small size: a frozen DINOv3 ViT-S/16+ (the real one with {@code dino}, else a seeded
 * random stand-in of the same architecture) plus a trainable residual encoder and conv decoder learn to
 * reconstruct the images (stage 1); the data set is encoded once into SVG latents; a SiT learns them with
 * rectified flow (stage 2); every class is sampled with 5-step Euler and classifier-free guidance, decoded and
 * judged by a classifier trained on the real images.
 */
public final class Demo {
    private static final Logger log = LoggerFactory.getLogger(Demo.class);

    /** The knobs; {@link #defaults()} fit in a few minutes on two cores. */
    public record Settings(String data, Path out, Path dino, int imageSize, int samplesPerClass, int aeSteps,
                           int aeBatch, int ditSteps, int ditBatch, int samplesPerRow, int samplingSteps, double cfg,
                           long seed) {
        public static Settings defaults() {
            // 600 stage-1 steps, not 300: the samples can only be as recognisable as the decoder's reconstructions
            // (classifier accuracy on the decoded latent cache 0.65 after 600 steps, 0.53 after 300)
            return new Settings("builtin", Path.of("runs/demo"), null, 32, 120, 600, 32, 1500, 64, 8, 5, 4.0, 0);
        }

        public Settings withOut(Path v) {
            return new Settings(data, v, dino, imageSize, samplesPerClass, aeSteps, aeBatch, ditSteps, ditBatch,
                    samplesPerRow, samplingSteps, cfg, seed);
        }

        /** A toy run for tests: seconds, not minutes. */
        public Settings tiny() {
            return new Settings(data, out, dino, imageSize, 8, 4, 8, 6, 16, 2, samplingSteps, cfg, seed);
        }

        public Settings with(String dataName, Path dinoFile, int aeStepCount, int ditStepCount, long seedValue) {
            return new Settings(dataName, out, dinoFile, imageSize, samplesPerClass, aeStepCount, aeBatch, ditStepCount,
                    ditBatch, samplesPerRow, samplingSteps, cfg, seedValue);
        }
    }

    /** What the run measured, also written to {@code summary.json}. */
    public record Summary(double reconstructionL1, double reconstructionPsnr, double stage2Loss,
                          double sampleAccuracy, double realAccuracy, double chance, double seconds,
                          boolean randomDino, Map<String, Path> files) {
    }

    private Demo() {
    }

    public static Summary run(Settings s) throws IOException {
        return run(s, Progress.LOG);
    }

    /** {@link #run(Settings)} with the trainers' and the encoder's progress shown on {@code progress}. */
    public static Summary run(Settings s, Progress.Display progress) throws IOException {
        long t0 = System.nanoTime();
        Path out = s.out();
        Files.createDirectories(out);
        DemoData data = "fashion-mnist".equals(s.data())
                ? DemoData.fashionMnist(s.imageSize(), s.samplesPerClass() * 10)
                : DemoData.builtin(s.imageSize(), s.samplesPerClass(), s.seed());
        log.info("data: {} images of {} classes ({}), {}x{}", data.size(), data.numClasses(), s.data(), s.imageSize(),
                s.imageSize());

        boolean randomDino = s.dino() == null;
        DinoV3 dino;
        if (randomDino) {
            log.warn("no DINOv3 weights given (--dino FILE): a seeded random ViT-S/16+ stands in for the frozen encoder");
            dino = DinoV3.random(DinoV3Config.vits16plus(), s.seed());
        } else {
            dino = DinoV3.load(s.dino());
        }

        // ---- stage 1: residual encoder + decoder (+ discriminator, which switches on only in long runs)
        int size = s.imageSize();
        int z = dino.config().embedDim() + 8;
        SvgAutoencoderConfig aeCfg = new SvgAutoencoderConfig(dino.config(),
                new ResidualEncoderConfig(size, 16, 2, 4, 128, 256, 8, 0.1, 0.1),
                // the ViT decoder (RAE's choice, selectable beside the official conv decoder) is the one that fits
                // the demo's minutes on two cores
                new VitDecoderConfig(z, size / 16, 16, 256, 4, 4, 4.0),
                0.1, true, DistributionMatching.Mode.BATCH);
        SvgAutoencoder ae = SvgAutoencoder.random(aeCfg, dino, s.seed());
        NLayerDiscriminator disc = NLayerDiscriminator.random(3, 16, 2, s.seed() + 1);
        AutoencoderTrainingStep aeStep = new AutoencoderTrainingStep(ae, disc, null,
                AutoencoderTrainingStep.Settings.official().withLr(4e-4).withDiscStart(Math.max(5001, s.aeSteps() + 1)),
                s.seed());
        AutoencoderTrainer aeTrainer = new AutoencoderTrainer(aeStep, data::batch,
                AutoencoderTrainer.Settings.defaults(s.aeSteps(), s.aeBatch()), out.resolve("autoencoder"))
                .withProgress(progress);
        aeTrainer.run();

        // ---- encode the data set once: the latent cache of stage 2
        int n = data.size();
        LatentCache cache = LatentCache.encode(ae,
                (start, m) -> data.images().get(NDArrayIndex.interval(start, start + m)).dup(),
                data.labels(), data.numClasses(), 64, progress);
        INDArray tokens = cache.tokens();
        INDArray recon = Nd4j.create(DataType.FLOAT, Math.min(n, 2L * data.numClasses()), 3, size, size);
        // decoded from the first encoder chunk, so the batch statistics of the matching are those of the cache
        recon.assign(ae.reconstruct(data.images().get(NDArrayIndex.interval(0, Math.min(n, 64))).dup())
                .get(NDArrayIndex.interval(0, recon.size(0))));
        cache.write(out.resolve("latents.safetensors"));
        INDArray originals = data.images().get(NDArrayIndex.interval(0, recon.size(0)));
        double l1 = org.nd4j.linalg.ops.transforms.Transforms.abs(recon.sub(originals), false).meanNumber().doubleValue();
        double psnr = Psnr.ofMinusOneOne(recon, originals);
        INDArray pairs = Nd4j.concat(0, originals, recon);
        ImageGrid.write(out.resolve("reconstructions.png"), pairs, (int) recon.size(0), 2);
        log.info("stage 1 done: reconstruction L1 {} PSNR {} dB", String.format("%.4f", l1), String.format("%.2f", psnr));

        // ---- stage 2: SiT on the cached latents
        int side = (int) Math.round(Math.sqrt(tokens.size(1)));
        // The final Linear maps the hidden width to the latent channels, so a width below the 392 channels leaves
        // the velocity rank-deficient: the other directions of every token keep their starting noise (width 192
        // stalled at loss 1.13 with samples at chance). 448 = 7 heads of 64; four blocks keep a step as cheap as
        // six blocks of 192.
        SiTConfig ditCfg = new SiTConfig("demo", (int) tokens.size(2), side, 448, 4, 7, 4.0, data.numClasses(), true,
                true, 0.1);
        SiT sit = new SiT(ditCfg);
        sit.build(DataType.FLOAT);
        sit.initialize(s.seed());
        DiffusionTrainer.Settings ts = DiffusionTrainer.Settings.defaults(s.ditSteps(), s.ditBatch())
                // 1e-3 reached loss 0.58 where 5e-4 reached 0.65 in the same 1500 steps (classifier 0.49 vs 0.36)
                .withStep(FlowTrainingStep.Settings.official().withLr(1e-3).withEmaDecay(0.995))
                .withCheckpointEvery(Math.max(1, s.ditSteps())).withWarmup(Math.min(100, s.ditSteps() / 5))
                .withSeed(s.seed());
        DiffusionTrainer trainer = new DiffusionTrainer(sit, cache, ts, out.resolve("diffusion")).withProgress(progress);
        trainer.run(null);

        // ---- sample every class from the EMA weights, decode, judge
        SiT ema = trainer.emaModel();
        int per = s.samplesPerRow();
        long[] labels = new long[per * data.numClasses()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i / per;
        }
        INDArray latents = new LatentGenerator(ema, cache.stats()).sample(new LatentGenerator.Request(labels,
                s.samplingSteps(), Guidance.constant(s.cfg()), org.svgjava.diffusion.flow.TimeShift.SAMPLE, s.seed(),
                LatentGenerator.Solver.EULER));
        INDArray samples = AutoencoderInference.decode(ae, latents, 64);
        ImageGrid.write(out.resolve("samples.png"), samples, per, 2);

        ProbeClassifier probe = ProbeClassifier.train(data.images(), data.labels(), data.numClasses(), 30, s.seed());
        double sampleAcc = probe.accuracy(samples, labels);
        double realAcc = probe.accuracy(recon, java.util.Arrays.copyOf(data.labels(), (int) recon.size(0)));

        // the curves come from the runs' metrics logs, so a resumed (or already finished) run shows its whole history
        double[][] aeLoss = MetricsLog.series(aeTrainer.metricsFile(), "rec_loss");
        double[][] ditLoss = MetricsLog.series(trainer.metricsFile(), "loss");
        LossCurves.write(out.resolve("loss-autoencoder.png"), Map.of("stage 1 L1", aeLoss),
                LossCurves.Style.DEFAULT.withTitle("stage 1: reconstruction L1"));
        LossCurves.write(out.resolve("loss-diffusion.png"), Map.of("stage 2 flow loss", ditLoss),
                LossCurves.Style.DEFAULT.withTitle("stage 2: rectified-flow loss"));

        Map<String, Path> files = new LinkedHashMap<>();
        files.put("samples (one row per class)", out.resolve("samples.png"));
        files.put("reconstructions (top: real, bottom: decoded)", out.resolve("reconstructions.png"));
        files.put("loss curves", out.resolve("loss-autoencoder.png"));
        files.put("loss curves (stage 2)", out.resolve("loss-diffusion.png"));
        files.put("metrics", out.resolve("summary.json"));
        double last = ditLoss[1].length == 0 ? Double.NaN : ditLoss[1][ditLoss[1].length - 1];
        Summary summary = new Summary(l1, psnr, last, sampleAcc, realAcc, 1.0 / data.numClasses(),
                (System.nanoTime() - t0) / 1e9, randomDino, files);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("data", s.data());
        json.put("images", data.size());
        json.put("classes", data.classNames());
        json.put("random_dino_stand_in", randomDino);
        json.put("stage1_steps", s.aeSteps());
        json.put("reconstruction_l1", l1);
        json.put("reconstruction_psnr_db", psnr);
        json.put("stage2_steps", s.ditSteps());
        json.put("stage2_final_loss", last);
        json.put("sampling", Map.of("solver", "euler", "steps", s.samplingSteps(), "cfg", s.cfg(), "shift", 0.15));
        json.put("sample_class_accuracy", sampleAcc);
        json.put("reconstruction_class_accuracy", realAcc);
        json.put("chance", 1.0 / data.numClasses());
        json.put("seconds", summary.seconds());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve("summary.json").toFile(), json);
        return summary;
    }
}
