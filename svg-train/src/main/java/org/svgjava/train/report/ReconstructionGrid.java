package org.svgjava.train.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.svgjava.train.data.Pixels;
import org.svgjava.train.eval.Psnr;

/**
 * Originals beside their reconstructions in one PNG: each pair is two neighbouring tiles (original left),
 * {@code pairsPerRow} pairs per row, 2 px padding.
 */
public final class ReconstructionGrid {
    public static final int PADDING = 2;

    private ReconstructionGrid() {
    }

    /**
     * Writes the grid and returns the PSNR of the 8-bit images in it, so the number reported is the one a reader
     * of the PNG measures.
     */
    public static double write(Path png, INDArray originals, INDArray reconstructions, int pairsPerRow)
            throws IOException {
        List<Pixels> a = ImageGrid.fromMinusOneOne(originals);
        List<Pixels> b = ImageGrid.fromMinusOneOne(reconstructions);
        List<Pixels> tiles = new ArrayList<>(2 * a.size());
        for (int i = 0; i < a.size(); i++) {
            tiles.add(a.get(i));
            tiles.add(b.get(i));
        }
        ImageGrid.write(png, tiles, 2 * pairsPerRow, PADDING);
        return Psnr.of8Bit(a, b);
    }
}
