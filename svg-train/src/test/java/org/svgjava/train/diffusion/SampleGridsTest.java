package org.svgjava.train.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svgjava.diffusion.model.SiT;

class SampleGridsTest {
    @TempDir
    Path tmp;

    @Test
    void gridsEveryNStepsFromTheEmaModelLeaveTheRunUnchanged() throws Exception {
        SiT plain = DiffusionTrainerTest.model();
        new DiffusionTrainer(plain, DiffusionTrainerTest.cache(), DiffusionTrainerTest.settings(4), tmp.resolve("a"))
                .run(null);

        SiT watched = DiffusionTrainerTest.model();
        DiffusionTrainer t = new DiffusionTrainer(watched, DiffusionTrainerTest.cache(), DiffusionTrainerTest.settings(4),
                tmp.resolve("b"));
        // 5 classes asked of a 3-class cache: 3 rows of 2, latent previews of the 2x2 token grid
        t.run(new SampleGrids(t, null, new SampleGrids.Settings(2, 5, 2, 2, 3.0), tmp.resolve("b")));

        assertThat(watched.parameters().flat()).isEqualTo(plain.parameters().flat());
        assertThat(SampleGrids.fileFor(tmp.resolve("b"), 1)).doesNotExist();
        assertThat(SampleGrids.fileFor(tmp.resolve("b"), 3)).doesNotExist();
        for (long step : new long[] {2, 4}) {
            BufferedImage grid = ImageIO.read(SampleGrids.fileFor(tmp.resolve("b"), step).toFile());
            assertThat(grid.getWidth()).isEqualTo(2 * 2 + 3 * 2);
            assertThat(grid.getHeight()).isEqualTo(3 * 2 + 4 * 2);
        }
        assertThat(t.emaModel().parameters().flat()).isEqualTo(t.trainStep().ema().shadow().flat());
    }

    @Test
    void offMeansNoFiles() throws Exception {
        DiffusionTrainer t = new DiffusionTrainer(DiffusionTrainerTest.model(), DiffusionTrainerTest.cache(),
                DiffusionTrainerTest.settings(2), tmp);
        t.run(new SampleGrids(t, null, SampleGrids.Settings.off(), tmp));
        assertThat(SampleGrids.fileFor(tmp, 2)).doesNotExist();
    }

    @Test
    void rowsHoldOneClassEach() {
        assertThat(SampleGrids.rows(new long[] {4, 9}, 3)).containsExactly(4, 4, 4, 9, 9, 9);
        assertThat(SampleGrids.spread(4, 1000)).containsExactly(0, 250, 500, 750);
        assertThat(SampleGrids.spread(5, 3)).containsExactly(0, 1, 2);
    }
}
