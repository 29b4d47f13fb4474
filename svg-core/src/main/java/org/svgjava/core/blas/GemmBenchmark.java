package org.svgjava.core.blas;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Float GEMM speed of this process, the number every other benchmark divides by. With {@code --compare} it also
 * starts two fresh JVMs on the same class path, one with {@code OPENBLAS_CORETYPE} exported by hand (the manually
 * tuned figure) and one with the library's selection switched off (what ND4J alone gives), and prints the ratios.
 *
 * <p>This class writes to stdout because it is a command-line report, not library code.
 */
public final class GemmBenchmark {
    /** Result of one measurement. */
    public record Result(int n, double medianMs, double bestMs, double gflops) {
    }

    private GemmBenchmark() {
    }

    /** Median GFLOP/s of {@code n x n x n} float GEMMs into a preallocated output, after warm-up. */
    public static Result measure(int n, int warmup, int iterations) {
        return new Probe(n).measure(warmup, iterations);
    }

    /**
     * The operands of one size allocated once, for benchmarks that sample the peak repeatedly between their own
     * timings (ND4J frees native memory only at garbage collection, so fresh operands each time would show up as
     * memory growth).
     */
    public static final class Probe {
        private final int n;
        private final INDArray a;
        private final INDArray b;
        private final INDArray c;

        public Probe(int n) {
            this.n = n;
            Nd4j.getRandom().setSeed(1);
            a = Nd4j.rand(DataType.FLOAT, n, n);
            b = Nd4j.rand(DataType.FLOAT, n, n);
            c = Nd4j.create(DataType.FLOAT, n, n);
        }

        public Result measure(int warmup, int iterations) {
            return GemmBenchmark.measure(a, b, c, n, warmup, iterations);
        }
    }

    private static Result measure(INDArray a, INDArray b, INDArray c, int n, int warmup, int iterations) {
        for (int i = 0; i < warmup; i++) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        }
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double median = ms[iterations / 2];
        double flops = 2.0 * n * n * (double) n;
        return new Result(n, median, ms[0], flops / (median * 1e6));
    }

    /** Convenience for other benchmarks: the GEMM peak of this process in GFLOP/s (2048^3, median of 10). */
    public static double peakGflops() {
        return measure(2048, 3, 10).gflops();
    }

    public static void main(String[] args) throws Exception {
        int n = 2048;
        boolean compare = false;
        boolean child = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--compare" -> compare = true;
                case "--child" -> child = true;
                case "--n" -> n = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: GemmBenchmark [--n N] [--compare]");
            }
        }
        Result r = measure(n, 3, 10);
        if (child) {
            System.out.printf("GFLOPS %.3f%n", r.gflops());
            return;
        }
        OpenBlasSetup.Outcome outcome = OpenBlasSetup.configure();
        System.out.printf("CPU kernels: %s (%s), %d threads%n", OpenBlasSetup.coreType(), outcome,
                Nd4j.getEnvironment().maxMasterThreads());
        System.out.printf("float GEMM %d^3 in this process: %.1f GFLOP/s (median %.1f ms, best %.1f ms)%n",
                n, r.gflops(), r.medianMs(), r.bestMs());
        if (!compare) {
            return;
        }
        String wanted = CpuFeatures.openBlasCoreType(CpuFeatures.flags());
        if (wanted == null) {
            System.out.println("no OpenBLAS kernel family to force on this CPU; nothing to compare");
            return;
        }
        double manual = childGflops(n, Map.of(OpenBlasSetup.ENV, wanted));
        double untuned = childGflops(n, Map.of());
        System.out.printf("fresh JVM, %s=%s exported by hand: %.1f GFLOP/s%n", OpenBlasSetup.ENV, wanted, manual);
        System.out.printf("fresh JVM, ND4J's own OpenBLAS detection: %.1f GFLOP/s%n", untuned);
        double ratio = r.gflops() / manual;
        System.out.printf("in-process / hand-tuned = %.2f (%s: within 20%%)%n", ratio,
                Math.abs(1 - ratio) <= 0.2 ? "OK" : "NOT OK");
        System.out.printf("in-process / untuned    = %.2f%n", r.gflops() / untuned);
    }

    private static double childGflops(int n, Map<String, String> env) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("-D" + OpenBlasSetup.DISABLE_PROPERTY + "=false");
        cmd.add(GemmBenchmark.class.getName());
        cmd.add("--child");
        cmd.add("--n");
        cmd.add(Integer.toString(n));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove(OpenBlasSetup.ENV);
        pb.environment().putAll(env);
        Process p = pb.start();
        double gflops = Double.NaN;
        StringBuilder all = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                all.append(line).append('\n');
                if (line.startsWith("GFLOPS ")) {
                    gflops = Double.parseDouble(line.substring(7).trim());
                }
            }
        }
        if (p.waitFor() != 0 || Double.isNaN(gflops)) {
            throw new IOException("benchmark child failed:\n" + all);
        }
        return gflops;
    }
}
