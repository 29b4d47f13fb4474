package org.svgjava.train.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.svgjava.train.demo.Demo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The end-to-end demo: trains both stages at a small size on built-in data (no files needed), "
                + "samples every class with 5-step Euler and classifier-free guidance, and writes a sample grid, a "
                + "reconstruction grid, loss curves and a metrics summary, including how class-conditional the samples "
                + "are (accuracy of a classifier trained on the real images; chance is 1/classes), and its options "
                + "to OUT/config.yaml.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", defaultValue = "builtin",
            description = "builtin (procedural shapes, 10 classes) or fashion-mnist (Debian's dataset-fashion-mnist) "
                    + "(default: ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--out", defaultValue = "runs/demo", description = "output directory (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--dino", description = "the real DINOv3 ViT-S/16+ (.pth or Hugging Face .safetensors); "
            + "without it a seeded random ViT-S/16+ stands in for the frozen encoder")
    Path dino;

    @Option(names = "--ae-steps", defaultValue = "600", description = "stage-1 steps (default: ${DEFAULT-VALUE})")
    int aeSteps;

    @Option(names = "--dit-steps", defaultValue = "1500", description = "stage-2 steps (default: ${DEFAULT-VALUE})")
    int ditSteps;

    @Option(names = "--seed", defaultValue = "0", description = "seed of data, weights and sampling (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        RunOptions.write(spec, out.resolve("config.yaml"), null);
        Demo.Summary s = Demo.run(Demo.Settings.defaults().withOut(out).with(data, dino, aeSteps, ditSteps, seed),
                Terminal.progress());
        System.out.println();
        System.out.printf("svg-java demo finished in %.0f s%s%n", s.seconds(),
                s.randomDino() ? " (frozen encoder: seeded random DINOv3 ViT-S/16+ stand-in; pass --dino FILE for the real one)" : "");
        System.out.printf("  reconstruction: L1 %.4f, PSNR %.2f dB%n", s.reconstructionL1(), s.reconstructionPsnr());
        System.out.printf("  stage 2 final flow loss: %.4f%n", s.stage2Loss());
        System.out.printf("  class-conditional samples: classifier accuracy %.2f (chance %.2f; on reconstructions %.2f)%n",
                s.sampleAccuracy(), s.chance(), s.realAccuracy());
        s.files().forEach((what, file) -> System.out.printf("  %-45s %s%n", what, file.toAbsolutePath()));
        return 0;
    }
}
