package org.svgjava.train.autoencoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.svgjava.core.nn.ParameterSet;
import org.svgjava.core.optim.AdamW;
import org.svgjava.encoder.train.AutoencoderTrainingStep;
import org.svgjava.train.checkpoint.Checkpoint;
import org.svgjava.train.report.MetricsLog;
import org.svgjava.train.report.Progress;

/**
 * Stage 1: runs the autoencoder step (residual encoder, decoder, mask token and discriminator, each with Adam
 * (0.5, 0.9)) over a deterministic stream of batches, with periodic atomic checkpoints in {@code out/checkpoints}.
 * A run started on a directory that holds a checkpoint resumes from the newest one; a non-finite loss stops the
 * run without saving, so the last good checkpoint stays the newest.
 */
public final class AutoencoderTrainer {
    private static final Logger log = LoggerFactory.getLogger(AutoencoderTrainer.class);

    /** Loop settings. */
    public record Settings(long totalSteps, int batchSize, long checkpointEvery, long logEvery, int keepCheckpoints) {
        public static Settings defaults(long totalSteps, int batchSize) {
            return new Settings(totalSteps, batchSize, Math.max(1, totalSteps / 4), Math.max(10, totalSteps / 20), 3);
        }

        public Settings withCheckpointEvery(long v) {
            return new Settings(totalSteps, batchSize, v, logEvery, keepCheckpoints);
        }

        public Settings withTotalSteps(long v) {
            return new Settings(v, batchSize, checkpointEvery, logEvery, keepCheckpoints);
        }
    }

    /** The images of step k ({@code [B, 3, H, W]} in [-1, 1]); the same k must always give the same batch. */
    @FunctionalInterface
    public interface Batches {
        INDArray batch(long step, int size);
    }

    /** Called after every step (reconstruction grids...). */
    @FunctionalInterface
    public interface Listener {
        void afterStep(long step, AutoencoderTrainingStep.Result result) throws IOException;
    }

    private final AutoencoderTrainingStep step;
    private final Batches data;
    private final Settings settings;
    private final Path out;
    private Progress.Display progress = Progress.LOG;

    public AutoencoderTrainer(AutoencoderTrainingStep step, Batches data, Settings settings, Path out) {
        this.step = step;
        this.data = data;
        this.settings = settings;
        this.out = out;
    }

    public Path checkpointDir() {
        return out.resolve("checkpoints");
    }

    /** The run's metrics, one JSON line per step, across every process that trained it. */
    public Path metricsFile() {
        return out.resolve("metrics-autoencoder.jsonl");
    }

    public AutoencoderTrainingStep step() {
        return step;
    }

    /** Where the progress goes (log lines by default). */
    public AutoencoderTrainer withProgress(Progress.Display display) {
        this.progress = display;
        return this;
    }

    /** Runs (or resumes) to {@code totalSteps}; returns {step, L1} of the steps run here. */
    public List<double[]> run() throws IOException {
        return run(null);
    }

    /** {@link #run()}, calling {@code listener} (may be null) after every step. */
    public List<double[]> run(Listener listener) throws IOException {
        Files.createDirectories(out);
        long start = resume();
        List<double[]> losses = new ArrayList<>();
        Progress bar = progress.start("stage 1", settings.totalSteps(), start, settings.logEvery());
        step.autoencoder().train(true);
        try (MetricsLog metrics = MetricsLog.open(metricsFile())) {
            for (long k = start; k < settings.totalSteps(); k++) {
                AutoencoderTrainingStep.Result r = step.step(data.batch(k, settings.batchSize()));
                if (!Double.isFinite(r.totalLoss()) || !Double.isFinite(r.discLoss())) {
                    throw new IllegalStateException("non-finite stage-1 loss at step " + k + " (total " + r.totalLoss()
                            + ", discriminator " + r.discLoss() + "); the newest checkpoint in " + checkpointDir()
                            + " is the last good state");
                }
                losses.add(new double[] {k + 1, r.recLoss()});
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("rec_loss", r.recLoss());
                m.put("nll_loss", r.nllLoss());
                m.put("g_loss", r.gLoss());
                m.put("d_weight", r.dWeight());
                m.put("disc_loss", r.discLoss());
                metrics.log(k + 1, m);
                bar.update(k + 1, String.format(Locale.ROOT, "L1 %.4f disc %.4f", r.recLoss(), r.discLoss()));
                if ((k + 1) % settings.checkpointEvery() == 0 || k + 1 == settings.totalSteps()) {
                    save(k + 1);
                }
                if (listener != null) {
                    listener.afterStep(k + 1, r);
                }
            }
        }
        step.autoencoder().train(false);
        return losses;
    }

    private Map<String, ParameterSet> parts() {
        Map<String, ParameterSet> p = new LinkedHashMap<>();
        p.put("autoencoder", step.autoencoder().parameters());
        p.put("disc", step.discriminator().parameters());
        p.put("opt_ae.exp_avg", step.autoencoderOptimizer().moments().get(AdamW.EXP_AVG));
        p.put("opt_ae.exp_avg_sq", step.autoencoderOptimizer().moments().get(AdamW.EXP_AVG_SQ));
        p.put("opt_disc.exp_avg", step.discriminatorOptimizer().moments().get(AdamW.EXP_AVG));
        p.put("opt_disc.exp_avg_sq", step.discriminatorOptimizer().moments().get(AdamW.EXP_AVG_SQ));
        return p;
    }

    private void save(long k) throws IOException {
        Path f = Checkpoint.save(checkpointDir(), k, parts(), Map.of("stage", "autoencoder",
                "global_step", Long.toString(step.globalStep())), settings.keepCheckpoints());
        log.info("saved {}", f);
    }

    private long resume() throws IOException {
        var latest = Checkpoint.latest(checkpointDir());
        if (latest.isEmpty()) {
            return 0;
        }
        Checkpoint c = Checkpoint.load(latest.get());
        for (Map.Entry<String, ParameterSet> p : parts().entrySet()) {
            c.restore(p.getKey(), p.getValue());
        }
        step.autoencoderOptimizer().setStepCount(c.step());
        step.discriminatorOptimizer().setStepCount(c.step());
        step.resumeAt(c.step(), Long.parseLong(c.meta().getOrDefault("global_step", Long.toString(2 * c.step()))));
        MetricsLog.truncateAfterStep(metricsFile(), c.step());
        log.info("resumed stage 1 from {} (step {})", c.file(), c.step());
        return c.step();
    }
}
