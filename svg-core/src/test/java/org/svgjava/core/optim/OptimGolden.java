package org.svgjava.core.optim;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.core.io.SafeTensors;
import org.svgjava.core.io.WeightFileException;
import org.svgjava.core.testing.Golden;

/** {@code golden/optim/optim.safetensors}, written by torch.optim / torch.nn.utils in fp32. */
final class OptimGolden {
    static final int STEPS = 4;
    private final SafeTensors.Contents contents;

    private OptimGolden(SafeTensors.Contents contents) {
        this.contents = contents;
    }

    static OptimGolden load() throws WeightFileException {
        return new OptimGolden(Golden.safetensors("optim/optim.safetensors"));
    }

    INDArray get(String name) throws WeightFileException {
        return contents.get(name).toINDArray(DataType.FLOAT);
    }

    INDArray get(String name, DataType type) throws WeightFileException {
        return contents.get(name).toINDArray(type);
    }

    Map<String, String> metadata() {
        return contents.metadata();
    }

    java.util.Set<String> names() {
        return contents.tensors().keySet();
    }
}
