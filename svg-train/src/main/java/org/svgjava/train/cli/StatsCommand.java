package org.svgjava.train.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.svgjava.diffusion.flow.LatentStats;
import org.svgjava.train.diffusion.LatentCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Per-channel latent mean and std of a latent cache, written in the official stats layout.")
final class StatsCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "latent cache (.safetensors, from 'svg demo' or an encode run)")
    Path latents;

    @Parameters(index = "1", description = "stats file to write (.safetensors; keys dinov3_sp_mean/std [1,1,C])")
    Path out;

    @Override
    public Integer call() throws Exception {
        LatentCache cache = LatentCache.read(latents);
        LatentStats.Accumulator acc = new LatentStats.Accumulator((int) cache.tokens().size(2));
        acc.add(cache.tokens());
        LatentStats s = acc.result();
        org.svgjava.core.io.SafeTensors.write(out, new java.util.LinkedHashMap<>(s.toStateDict().tensors()), java.util.Map.of());
        System.out.printf("%d tokens, %d channels: mean %.4f..%.4f, std %.4f..%.4f -> %s%n", acc.count(), s.channels(),
                s.mean().minNumber().doubleValue(), s.mean().maxNumber().doubleValue(),
                s.std().minNumber().doubleValue(), s.std().maxNumber().doubleValue(), out);
        return 0;
    }
}
