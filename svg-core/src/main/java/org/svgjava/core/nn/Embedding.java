package org.svgjava.core.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A lookup table, PyTorch's {@code nn.Embedding}: weight {@code [num, dim]}; indices in, rows out. */
public final class Embedding extends Module {
    private final long num;
    private final long dim;
    private long[] indices;

    public Embedding(long num, long dim) {
        this.num = num;
        this.dim = dim;
        declareParameter("weight", num, dim);
    }

    public INDArray weight() {
        return p("weight");
    }

    /** Rows {@code weight[indices[i]]} as {@code [n, dim]}. */
    public INDArray forward(long[] ids) {
        INDArray y = buffers.get("y", p("weight").dataType(), ids.length, dim);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= num) {
                throw new IndexOutOfBoundsException("index " + ids[i] + " outside the table of " + num + " rows");
            }
            y.getRow(i).assign(p("weight").getRow(ids[i]));
        }
        indices = storesActivations() ? ids.clone() : null;
        return y;
    }

    /** Adds {@code dy[i]} into row {@code indices[i]} of the weight gradient (repeated indices add up). */
    public void backward(INDArray dy) {
        stored(indices);
        INDArray gw = g("weight");
        if (gw == null) {
            return;
        }
        for (int i = 0; i < indices.length; i++) {
            gw.getRow(indices[i]).addi(dy.getRow(i));
        }
    }
}
