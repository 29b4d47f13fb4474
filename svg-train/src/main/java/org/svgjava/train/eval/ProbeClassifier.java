package org.svgjava.train.eval;

import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.svgjava.core.nn.Activation;
import org.svgjava.core.nn.Mlp;
import org.svgjava.core.optim.AdamW;

/**
 * How class-conditional are generated images? A small MLP classifier trained on the real images and then applied
 * to the samples: its accuracy on samples of class c labelled c. Chance is 1 / number of classes. It sees the
 * magnitude of the 2-D Fourier transform of the grey image (mean removed, unit energy), which ignores position,
 * colour and contrast sign, so it judges shape, the thing a class-conditional generator must get right.
 */
public final class ProbeClassifier {
    private final int classes;
    private final Mlp mlp;

    private ProbeClassifier(int classes, Mlp mlp) {
        this.classes = classes;
        this.mlp = mlp;
    }

    /**
     * Trains on images {@code [N, 3, H, W]} in [-1, 1] with labels, for {@code epochs} passes of mini-batches of 64.
     */
    public static ProbeClassifier train(INDArray images, long[] labels, int classes, int epochs, long seed) {
        INDArray x = features(images);
        Mlp mlp = new Mlp(x.size(1), 128, classes, Activation.Kind.GELU_ERF);
        mlp.build(DataType.FLOAT);
        Random rng = new Random(seed);
        for (var e : mlp.parameters().views().entrySet()) {
            INDArray v = e.getValue();
            if (e.getKey().endsWith("weight")) {
                double bound = 1 / Math.sqrt(v.size(1));
                double[] d = new double[(int) v.length()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = (rng.nextDouble() * 2 - 1) * bound;
                }
                v.assign(Nd4j.create(d, v.shape(), 'c').castTo(DataType.FLOAT));
            } else {
                v.assign(0);
            }
        }
        AdamW opt = new AdamW(mlp.parameters(), mlp.gradients(), 3e-3, 0.9, 0.999, 1e-8, 1e-4);
        int n = (int) x.size(0);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int batch = 64;
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int k = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[k];
                order[k] = t;
            }
            for (int s = 0; s + batch <= n; s += batch) {
                INDArray xb = Nd4j.create(DataType.FLOAT, batch, x.size(1));
                INDArray onehot = Nd4j.zeros(DataType.FLOAT, batch, classes);
                for (int i = 0; i < batch; i++) {
                    xb.getRow(i).assign(x.getRow(order[s + i]));
                    onehot.putScalar(i, labels[order[s + i]], 1);
                }
                INDArray logits = mlp.forward(xb);
                // softmax cross-entropy: d logits = (softmax - onehot) / batch
                INDArray p = softmax(logits);
                mlp.zeroGradients();
                mlp.backward(p.subi(onehot).divi(batch));
                opt.step();
            }
        }
        mlp.inference(true);
        return new ProbeClassifier(classes, mlp);
    }

    public long[] predict(INDArray images) {
        INDArray logits = mlp.forward(features(images));
        long[] out = new long[(int) logits.size(0)];
        for (int i = 0; i < out.length; i++) {
            out[i] = logits.getRow(i).argMax().getLong(0);
        }
        return out;
    }

    /** Fraction of images whose predicted class is their label. */
    public double accuracy(INDArray images, long[] labels) {
        long[] p = predict(images);
        int ok = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == labels[i]) {
                ok++;
            }
        }
        return (double) ok / p.length;
    }

    public int classes() {
        return classes;
    }

    /** {@code [N, 3, H, W]} to {@code [N, H*W]} Fourier magnitudes of the centred, unit-energy grey image. */
    static INDArray features(INDArray images) {
        long n = images.size(0);
        int h = (int) images.size(2);
        int w = (int) images.size(3);
        INDArray grey = images.castTo(DataType.DOUBLE).mean(1);
        INDArray[] ch = dft(h);
        INDArray[] cw = dft(w);
        INDArray out = Nd4j.create(DataType.FLOAT, n, (long) h * w);
        for (int i = 0; i < n; i++) {
            INDArray g = grey.slice(i).dup();
            g.subi(g.meanNumber());
            double norm = g.norm2Number().doubleValue();
            if (norm > 0) {
                g.divi(norm);
            }
            INDArray re = ch[0].mmul(g).mmul(cw[0].transpose()).subi(ch[1].mmul(g).mmul(cw[1].transpose()));
            INDArray im = ch[1].mmul(g).mmul(cw[0].transpose()).addi(ch[0].mmul(g).mmul(cw[1].transpose()));
            INDArray mag = Transforms.sqrt(re.muli(re).addi(im.muli(im)), false);
            out.getRow(i).assign(mag.reshape((long) h * w).castTo(DataType.FLOAT).muli(4));
        }
        return out;
    }

    /** {cos, sin} DFT matrices of size n. */
    private static INDArray[] dft(int n) {
        double[] c = new double[n * n];
        double[] s = new double[n * n];
        for (int k = 0; k < n; k++) {
            for (int x = 0; x < n; x++) {
                double a = 2 * Math.PI * k * x / n;
                c[k * n + x] = Math.cos(a);
                s[k * n + x] = Math.sin(a);
            }
        }
        return new INDArray[] {Nd4j.create(c, new long[] {n, n}, 'c'), Nd4j.create(s, new long[] {n, n}, 'c')};
    }

    private static INDArray softmax(INDArray logits) {
        INDArray shifted = logits.subColumnVector(logits.max(1).reshape(logits.size(0), 1));
        INDArray e = Transforms.exp(shifted, false);
        return e.diviColumnVector(e.sum(1).reshape(logits.size(0), 1));
    }
}
