package org.svgjava.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProceduralDatasetTest {

    @Test
    void sameIndexGivesSamePixelsWhateverTheAccessOrder() {
        ProceduralDataset a = ProceduralDataset.of(32, 50, 7);
        ProceduralDataset b = ProceduralDataset.of(32, 50, 7);
        // b is read backwards, a forwards: nothing may depend on what was read before
        Pixels[] backwards = new Pixels[a.size()];
        for (int i = a.size() - 1; i >= 0; i--) {
            backwards[i] = b.get(i).pixels();
        }
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).pixels()).isEqualTo(backwards[i]);
        }
        assertThat(a.get(123).pixels()).isEqualTo(a.get(123).pixels());
    }

    @Test
    void seedChangesTheSamplesButNotTheLabels() {
        ProceduralDataset a = ProceduralDataset.of(32, 10, 1);
        ProceduralDataset b = ProceduralDataset.of(32, 10, 2);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.label(i)).isEqualTo(b.label(i));
            assertThat(a.get(i).pixels()).isNotEqualTo(b.get(i).pixels());
        }
    }

    @Test
    void tenBalancedClassesAtTheRequestedSize() {
        ProceduralDataset d = ProceduralDataset.of(64, 3, 0);
        assertThat(d.numClasses()).isGreaterThanOrEqualTo(10);
        assertThat(d.classNames()).doesNotHaveDuplicates();
        assertThat(d.size()).isEqualTo(3 * d.numClasses());
        int[] counts = new int[d.numClasses()];
        for (int i = 0; i < d.size(); i++) {
            LabeledImage s = d.get(i);
            assertThat(s.label()).isEqualTo(d.label(i));
            assertThat(s.pixels().width()).isEqualTo(64);
            assertThat(s.pixels().height()).isEqualTo(64);
            counts[s.label()]++;
        }
        assertThat(counts).containsOnly(3);
        assertThat(ProceduralDataset.defaults().imageSize()).isEqualTo(32);
        assertThatThrownBy(() -> ProceduralDataset.of(4, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everySampleShowsTwoColoursAndSamplesDiffer() {
        ProceduralDataset d = ProceduralDataset.of(32, 20, 3);
        Set<Pixels> distinct = new HashSet<>();
        for (int i = 0; i < d.size(); i++) {
            Pixels p = d.get(i).pixels();
            distinct.add(p);
            // the shape must be visible: a real spread of brightness in every image
            double min = 255;
            double max = 0;
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    double l = luma(p, x, y);
                    min = Math.min(min, l);
                    max = Math.max(max, l);
                }
            }
            assertThat(max - min).as("brightness range of sample %d", i).isGreaterThan(40);
        }
        assertThat(distinct).hasSize(d.size());
    }

    /**
     * Classes must differ by shape, not colour or position: a nearest-class-mean classifier on a representation
     * that discards colour, contrast sign and position (the magnitude of the 2-D Fourier transform of the
     * normalised grey image) separates held-out samples well.
     */
    @Test
    void classesAreSeparableByShapeAlone() {
        ProceduralDataset d = ProceduralDataset.of(32, 40, 11);
        int k = d.numClasses();
        int train = 200;
        double[][] means = new double[k][];
        for (int i = 0; i < train; i++) {
            double[] f = ShapeFeatures.of(d.get(i).pixels());
            int c = d.label(i);
            if (means[c] == null) {
                means[c] = new double[f.length];
            }
            for (int j = 0; j < f.length; j++) {
                means[c][j] += f[j];
            }
        }
        int correct = 0;
        int tested = 0;
        for (int i = train; i < train + 200; i++) {
            double[] f = ShapeFeatures.of(d.get(i).pixels());
            int best = -1;
            double bestDist = Double.MAX_VALUE;
            for (int c = 0; c < k; c++) {
                double dist = 0;
                for (int j = 0; j < f.length; j++) {
                    double diff = f[j] - means[c][j] / (train / k);
                    dist += diff * diff;
                }
                if (dist < bestDist) {
                    bestDist = dist;
                    best = c;
                }
            }
            correct += best == d.label(i) ? 1 : 0;
            tested++;
        }
        double accuracy = correct / (double) tested;
        assertThat(accuracy).as("held-out accuracy of a nearest-class-mean classifier").isGreaterThan(0.8);
    }

    static double luma(Pixels p, int x, int y) {
        return 0.299 * p.get(x, y, 0) + 0.587 * p.get(x, y, 1) + 0.114 * p.get(x, y, 2);
    }
}
