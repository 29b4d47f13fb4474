package org.svgjava.train.cli;

import java.util.concurrent.Callable;
import org.svgjava.core.blas.GemmBenchmark;
import org.svgjava.diffusion.bench.DiTBlockBenchmark;
import org.svgjava.diffusion.bench.SiTBenchmark;
import org.svgjava.encoder.bench.DecoderBenchmark;
import org.svgjava.encoder.bench.DinoV3Benchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Speed benchmarks, each against the GEMM peak measured in the same process.")
final class BenchCommand implements Callable<Integer> {
    /** What to measure. */
    enum What { gemm, dit_block, sit_train, sit_sample, dino, decoder }

    @Parameters(index = "0", defaultValue = "gemm",
            description = "gemm | dit_block | sit_train | sit_sample | dino | decoder (default: ${DEFAULT-VALUE})")
    What what;

    @Option(names = "--iterations", defaultValue = "5", description = "timed iterations (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--size", defaultValue = "XL", description = "SiT size for sit_sample: S, B, L, XL (default: ${DEFAULT-VALUE})")
    String size;

    @Override
    public Integer call() throws Exception {
        switch (what) {
            case gemm -> GemmBenchmark.main(new String[] {"--compare"});
            case dit_block -> DiTBlockBenchmark.main(new String[] {Integer.toString(Math.max(iterations, 10))});
            case sit_train -> SiTBenchmark.main(new String[] {"train", Integer.toString(iterations)});
            case sit_sample -> SiTBenchmark.main(new String[] {"sample", Integer.toString(iterations), size});
            case dino -> DinoV3Benchmark.main(new String[] {Integer.toString(iterations)});
            // the official-size conv decoder alone, at the batch of 8 the PyTorch reference time is given for
            case decoder -> DecoderBenchmark.main(new String[] {"8", Integer.toString(iterations), "0"});
        }
        return 0;
    }
}
