package org.svgjava.diffusion.flow;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.diffusion.model.SiT;

/**
 * Class-conditional sampling of SVG latents from a SiT: seeded noise, a solver on the shifted grid with guidance,
 * then de-normalisation with the latent statistics. The result is in the decoder's layout {@code [B, C, H, W]}.
 */
public final class LatentGenerator {
    /** Solvers by name: the official {@code euler} and {@code heun}, adaptive {@code dopri5}, stochastic {@code sde}. */
    public enum Solver { EULER, HEUN, DOPRI5, SDE }

    /**
     * @param steps  grid steps (Euler, Heun, SDE); ignored by dopri5
     * @param shift  time shift of the grid (0.15 is SVG's sampling default)
     */
    public record Request(long[] labels, int steps, Guidance guidance, double shift, long seed, Solver solver) {
        /** SVG's defaults: Euler, shift 0.15, constant guidance. */
        public static Request of(long[] labels, int steps, double cfg, long seed) {
            return new Request(labels, steps, Guidance.constant(cfg), TimeShift.SAMPLE, seed, Solver.EULER);
        }

        public Request withSolver(Solver s) {
            return new Request(labels, steps, guidance, shift, seed, s);
        }

        public Request withGuidance(Guidance g) {
            return new Request(labels, steps, g, shift, seed, solver);
        }

        public Request withShift(double s) {
            return new Request(labels, steps, guidance, s, seed, solver);
        }
    }

    private final SiT model;
    private final LatentStats stats;

    /** @param stats the training statistics, or null for a model trained on unnormalised latents */
    public LatentGenerator(SiT model, LatentStats stats) {
        this.model = model;
        this.stats = stats;
    }

    /** De-normalised latent tokens {@code [B, T, C]}. */
    public INDArray sampleTokens(Request r) {
        var cfg = model.config();
        INDArray z0 = Nd4j.create(DataType.FLOAT, r.labels().length, cfg.tokens(), cfg.inChannels());
        Nd4j.randn(z0, Seeds.nd4j(r.seed()));
        if (r.solver() == Solver.DOPRI5 && r.guidance().dependsOnStep()) {
            throw new IllegalArgumentException("guidance " + r.guidance().mode() + " depends on the step index; "
                    + "dopri5 has no fixed steps (use constant, early or interval guidance)");
        }
        Sampler sampler = switch (r.solver()) {
            case EULER -> new EulerSampler(r.steps(), r.shift());
            case HEUN -> new HeunSampler(r.steps(), r.shift());
            case DOPRI5 -> new Dopri5Sampler(1e-4, 1e-4);
            case SDE -> new EulerMaruyamaSampler(r.steps(), r.shift(), 1.0, r.seed() + 1);
        };
        INDArray z = sampler.sample(new SiTVelocity(model, r.labels(), r.guidance(), r.steps()), z0);
        return stats == null ? z : stats.denormalize(z);
    }

    /** Latents {@code [B, C, H, W]} (token n = row*W + col), ready for the decoder. */
    public INDArray sample(Request r) {
        return toLatentMap(sampleTokens(r), model.config().inputSize());
    }

    /** Tokens {@code [B, H*W, C]} to the channel-first map {@code [B, C, H, W]}. */
    public static INDArray toLatentMap(INDArray tokens, int side) {
        long b = tokens.size(0);
        long c = tokens.size(2);
        return tokens.permute(0, 2, 1).dup('c').reshape(b, c, side, side);
    }
}
