package org.svgjava.train.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code svg} command: every stage of the system from the command line. */
@Command(name = "svg", mixinStandardHelpOptions = true, version = "svg-java 0.1.0",
        description = "SVG latent diffusion (arXiv 2510.15301) on ND4J: train, sample, import weights, benchmark.",
        subcommands = {
            DemoCommand.class,
            TrainAutoencoderCommand.class,
            EncodeCommand.class,
            ReconstructCommand.class,
            TrainDiffusionCommand.class,
            SampleCommand.class,
            StatsCommand.class,
            ImportCommand.class,
            BenchCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class SvgCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs the command line and returns the exit code. */
    public static int execute(String... args) {
        return new CommandLine(new SvgCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
