package org.svgjava.train.demo;

import java.io.IOException;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.train.data.Dataset;
import org.svgjava.train.data.FashionMnistDataset;
import org.svgjava.train.data.LabeledImage;
import org.svgjava.train.data.ProceduralDataset;

/** The demo's images in memory: {@code [N, 3, S, S]} in [-1, 1] with labels, from the built-in set or Fashion-MNIST. */
record DemoData(INDArray images, long[] labels, List<String> classNames) {
    /** The built-in procedural classes, {@code perClass} of each, interleaved by class. */
    static DemoData builtin(int size, int perClass, long seed) {
        ProceduralDataset d = ProceduralDataset.of(size, perClass, seed);
        return take(d, d.size(), size, perClassOrder(d.size(), d.numClasses()));
    }

    /** The first {@code n} training images of Debian's Fashion-MNIST, padded from 28 to {@code size}. */
    static DemoData fashionMnist(int size, int n) throws IOException {
        if (!FashionMnistDataset.isInstalled()) {
            throw new IOException("Fashion-MNIST is not installed at " + FashionMnistDataset.DEFAULT_DIR
                    + " (apt-get install dataset-fashion-mnist)");
        }
        FashionMnistDataset d = FashionMnistDataset.load(FashionMnistDataset.Split.TRAIN);
        int[] order = new int[Math.min(n, d.size())];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return take(d, order.length, size, order);
    }

    private static int[] perClassOrder(int n, int classes) {
        // the procedural set is ordered by class; interleave so any prefix holds every class
        int per = n / classes;
        int[] order = new int[n];
        int k = 0;
        for (int i = 0; i < per; i++) {
            for (int c = 0; c < classes; c++) {
                order[k++] = c * per + i;
            }
        }
        return order;
    }

    private static DemoData take(Dataset d, int n, int size, int[] order) {
        INDArray x = Nd4j.create(DataType.FLOAT, n, 3, size, size);
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            LabeledImage li = d.get(order[i]);
            y[i] = li.label();
            int w = li.pixels().width();
            int h = li.pixels().height();
            INDArray img = Nd4j.create(li.pixels().toChwMinusOneOne(), new long[] {3, h, w}, 'c');
            INDArray target = x.slice(i);
            if (w == size && h == size) {
                target.assign(img);
            } else {
                // smaller images (Fashion-MNIST's 28 px) are centred on a black (-1) canvas
                target.assign(-1);
                int oy = (size - h) / 2;
                int ox = (size - w) / 2;
                target.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(oy, oy + h),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(ox, ox + w)).assign(img);
            }
        }
        return new DemoData(x, y, d.classNames());
    }

    int size() {
        return labels.length;
    }

    int numClasses() {
        return classNames.size();
    }

    /** Images {@code from .. from+n} (wrapping), copied. */
    INDArray batch(long step, int n) {
        INDArray b = Nd4j.create(DataType.FLOAT, n, 3, images.size(2), images.size(3));
        for (int i = 0; i < n; i++) {
            b.slice(i).assign(images.slice((int) ((step * n + i) % size())));
        }
        return b;
    }
}
