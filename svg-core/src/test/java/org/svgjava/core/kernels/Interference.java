package org.svgjava.core.kernels;

import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

public final class Interference {
    public static void main(String[] args) {
        Random r = new Random(1);
        int n = 2048, in = 384, out = 1536;
        INDArray x = KernelCases.rand(DataType.FLOAT, r, 1, n, in);
        INDArray w = KernelCases.rand(DataType.FLOAT, r, 1, out, in);
        INDArray y = Nd4j.create(DataType.FLOAT, n, out);
        INDArray h = KernelCases.rand(DataType.FLOAT, r, 1, 2048, 384);
        INDArray h2 = h.ulike();
        Kernels k = new CpuKernels();
        for (int rep = 0; rep < 4; rep++) {
            double[] alone = new double[30], afterKernel = new double[30], afterSerial = new double[30];
            for (int i = 0; i < 30; i++) {
                k.linear(x, w, null, y);
                long t0 = System.nanoTime();
                k.linear(x, w, null, y);
                alone[i] = (System.nanoTime() - t0) / 1e6;
                k.gelu(h, h2, true); // parallel Java kernel on the FJP
                t0 = System.nanoTime();
                k.linear(x, w, null, y);
                afterKernel[i] = (System.nanoTime() - t0) / 1e6;
                for (int j = 0; j < 3; j++) CpuActivations.siluInPlace(new float[100000], 100000); // serial Java work
                t0 = System.nanoTime();
                k.linear(x, w, null, y);
                afterSerial[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(alone); Arrays.sort(afterKernel); Arrays.sort(afterSerial);
            System.out.printf("gemm after gemm %.2f | after a parallel Java kernel %.2f | after serial Java work %.2f ms (medians)%n", alone[15], afterKernel[15], afterSerial[15]);
        }
    }
}
