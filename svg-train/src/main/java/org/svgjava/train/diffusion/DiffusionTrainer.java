package org.svgjava.train.diffusion;

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
import org.svgjava.core.optim.LrSchedule;
import org.svgjava.diffusion.model.SiT;
import org.svgjava.diffusion.train.FlowTrainingStep;
import org.svgjava.train.checkpoint.Checkpoint;
import org.svgjava.train.data.EpochOrder;
import org.svgjava.train.report.MetricsLog;
import org.svgjava.train.report.Progress;

/**
 * Stage 2: trains a SiT on cached latents with the official defaults (AdamW 1e-4, EMA 0.9999, shift 0.4), plus
 * LR warm-up, gradient accumulation and clipping. Checkpoints go to {@code out/checkpoints}; a run started on a
 * directory that has one resumes from the newest, and ends with exactly the parameters an uninterrupted run would
 * have. Batches of step k are fixed by (seed, k): epoch-wise shuffles of the whole cache.
 */
public final class DiffusionTrainer {
    private static final Logger log = LoggerFactory.getLogger(DiffusionTrainer.class);

    /** Loop settings beyond the per-step ones. */
    public record Settings(long totalSteps, int batchSize, int gradAccumulation, long warmupSteps,
                           long checkpointEvery, long logEvery, int keepCheckpoints, long seed,
                           FlowTrainingStep.Settings step) {
        public static Settings defaults(long totalSteps, int batchSize) {
            return new Settings(totalSteps, batchSize, 1, 0, Math.max(1, totalSteps / 4), Math.max(10, totalSteps / 20), 3, 0,
                    FlowTrainingStep.Settings.official());
        }

        public Settings withCheckpointEvery(long v) {
            return new Settings(totalSteps, batchSize, gradAccumulation, warmupSteps, v, logEvery, keepCheckpoints, seed, step);
        }

        public Settings withStep(FlowTrainingStep.Settings v) {
            return new Settings(totalSteps, batchSize, gradAccumulation, warmupSteps, checkpointEvery, logEvery, keepCheckpoints, seed, v);
        }

        public Settings withTotalSteps(long v) {
            return new Settings(v, batchSize, gradAccumulation, warmupSteps, checkpointEvery, logEvery, keepCheckpoints, seed, step);
        }

        public Settings withWarmup(long v) {
            return new Settings(totalSteps, batchSize, gradAccumulation, v, checkpointEvery, logEvery, keepCheckpoints, seed, step);
        }

        public Settings withGradAccumulation(int v) {
            return new Settings(totalSteps, batchSize, v, warmupSteps, checkpointEvery, logEvery, keepCheckpoints, seed, step);
        }

        public Settings withSeed(long v) {
            return new Settings(totalSteps, batchSize, gradAccumulation, warmupSteps, checkpointEvery, logEvery, keepCheckpoints, v, step);
        }
    }

    /** Called after every step (progress display, sample grids...). */
    @FunctionalInterface
    public interface Listener {
        void afterStep(long step, double loss) throws IOException;
    }

    private final SiT model;
    private final LatentCache data;
    private final Settings settings;
    private final Path out;
    private final FlowTrainingStep trainStep;
    private final INDArray normalized;
    private Progress.Display progress = Progress.LOG;
    private SiT ema;

    public DiffusionTrainer(SiT model, LatentCache data, Settings settings, Path out) {
        this.model = model;
        this.data = data;
        this.settings = settings;
        this.out = out;
        this.trainStep = new FlowTrainingStep(model, settings.step(), settings.seed());
        this.normalized = data.stats().normalize(data.tokens().dup());
    }

    public FlowTrainingStep trainStep() {
        return trainStep;
    }

    public Path checkpointDir() {
        return out.resolve("checkpoints");
    }

    /** The run's metrics, one JSON line per step, across every process that trained it. */
    public Path metricsFile() {
        return out.resolve("metrics-diffusion.jsonl");
    }

    public LatentCache data() {
        return data;
    }

    /** Where the progress goes (log lines by default). */
    public DiffusionTrainer withProgress(Progress.Display display) {
        this.progress = display;
        return this;
    }

    /**
     * A frozen SiT holding the current EMA weights (the model to sample from), one instance refreshed on each call.
     */
    public SiT emaModel() {
        if (ema == null) {
            ema = new SiT(model.config());
            ema.freeze();
            ema.build(model.parameters().flat().dataType());
        }
        ema.parameters().flat().assign(trainStep.ema().shadow().flat());
        return ema;
    }

    /** Runs (or resumes) to {@code totalSteps}; returns the losses of the steps run here as {step, loss} pairs. */
    public List<double[]> run(Listener listener) throws IOException {
        Files.createDirectories(out);
        long start = resume();
        LrSchedule schedule = settings.warmupSteps() > 0
                ? LrSchedule.linearWarmup(settings.step().lr(), settings.warmupSteps())
                : LrSchedule.constant(settings.step().lr());
        List<double[]> losses = new ArrayList<>();
        Progress bar = progress.start("stage 2", settings.totalSteps(), start, settings.logEvery());
        try (MetricsLog metrics = MetricsLog.open(metricsFile())) {
            for (long k = start; k < settings.totalSteps(); k++) {
                trainStep.optimizer().setLr(schedule.lr(k));
                List<INDArray> micro = new ArrayList<>();
                List<long[]> labels = new ArrayList<>();
                for (int m = 0; m < settings.gradAccumulation(); m++) {
                    int[] idx = batchIndices(k * settings.gradAccumulation() + m);
                    micro.add(gather(idx));
                    long[] y = new long[idx.length];
                    for (int i = 0; i < idx.length; i++) {
                        y[i] = data.labels()[idx[i]];
                    }
                    labels.add(y);
                }
                FlowTrainingStep.Result r = trainStep.step(micro, labels);
                losses.add(new double[] {k + 1, r.loss()});
                bar.update(k + 1, String.format(Locale.ROOT, "loss %.4f lr %.2e", r.loss(), schedule.lr(k)));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("loss", r.loss());
                m.put("lr", schedule.lr(k));
                if (!Double.isNaN(r.gradNorm())) {
                    m.put("grad_norm", r.gradNorm());
                }
                metrics.log(k + 1, m);
                if ((k + 1) % settings.checkpointEvery() == 0 || k + 1 == settings.totalSteps()) {
                    save(k + 1);
                }
                if (listener != null) {
                    listener.afterStep(k + 1, r.loss());
                }
            }
        }
        return losses;
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
        trainStep.optimizer().setStepCount(c.step());
        MetricsLog.truncateAfterStep(metricsFile(), c.step());
        log.info("resumed stage 2 from {} (step {})", c.file(), c.step());
        return c.step();
    }

    /** Everything a checkpoint holds, by part name. */
    private Map<String, ParameterSet> parts() {
        Map<String, ParameterSet> parts = new LinkedHashMap<>();
        parts.put("model", model.parameters());
        parts.put("ema", trainStep.ema().shadow());
        parts.put("opt.exp_avg", trainStep.optimizer().moments().get(AdamW.EXP_AVG));
        parts.put("opt.exp_avg_sq", trainStep.optimizer().moments().get(AdamW.EXP_AVG_SQ));
        return parts;
    }

    private void save(long step) throws IOException {
        Path f = Checkpoint.save(checkpointDir(), step, parts(), Map.of("stage", "diffusion",
                "model", model.config().toString()), settings.keepCheckpoints());
        log.info("saved {}", f);
    }

    /** Indices of micro-batch {@code j}: position j*B in the concatenation of per-epoch shuffles. */
    int[] batchIndices(long j) {
        int n = data.size();
        int b = settings.batchSize();
        int[] out = new int[b];
        for (int i = 0; i < b; i++) {
            long pos = j * b + i;
            long epoch = pos / n;
            out[i] = permutation(epoch)[(int) (pos % n)];
        }
        return out;
    }

    private long cachedEpoch = -1;
    private int[] cachedPerm;

    private int[] permutation(long epoch) {
        if (epoch != cachedEpoch) {
            cachedPerm = EpochOrder.of(data.size(), settings.seed(), epoch);
            cachedEpoch = epoch;
        }
        return cachedPerm;
    }

    private INDArray gather(int[] idx) {
        long[] shape = normalized.shape().clone();
        shape[0] = idx.length;
        INDArray batch = org.nd4j.linalg.factory.Nd4j.create(normalized.dataType(), shape);
        for (int i = 0; i < idx.length; i++) {
            batch.slice(i).assign(normalized.slice(idx[i]));
        }
        return batch;
    }
}
