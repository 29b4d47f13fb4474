package org.svgjava.train.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.io.StateDict;
import org.svgjava.encoder.dino.DinoV3Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Converts an official PyTorch file (.pt/.pth/.ckpt) to safetensors, checking it on the way.")
final class ImportCommand implements Callable<Integer> {
    /** The official file kinds. */
    enum Kind { dit, dino, autoencoder, stats }

    @Parameters(index = "0", description = "the official file")
    Path in;

    @Parameters(index = "1", description = "the safetensors file to write")
    Path out;

    @Option(names = "--kind", required = true,
            description = "dit ({\"ema\": ...} SVG-XL checkpoint), dino (Meta .pth or Hugging Face safetensors), "
                    + "autoencoder (Lightning {\"state_dict\": ...}), stats (dinov3_sp_stats.pt)")
    Kind kind;

    @Override
    public Integer call() throws Exception {
        StateDict sd = switch (kind) {
            case dit -> StateDict.load(in, "ema");
            case dino -> DinoV3Checkpoint.load(in);
            case autoencoder -> StateDict.load(in, "state_dict");
            case stats -> StateDict.load(in);
        };
        Map<String, Object> tensors = new LinkedHashMap<>(sd.tensors());
        SafeTensors.write(out, tensors, Map.of("source", in.getFileName().toString(), "kind", kind.name()));
        System.out.printf("%s: %d tensors written to %s%n", in, sd.size(), out);
        return 0;
    }
}
