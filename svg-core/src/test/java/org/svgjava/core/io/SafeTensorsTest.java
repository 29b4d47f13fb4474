package org.svgjava.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.svgjava.core.testing.Golden;

class SafeTensorsTest {
    @TempDir
    Path tmp;

    /** Tensor count, element count and sum of |values| of every golden safetensors file, computed with numpy. */
    @ParameterizedTest
    @CsvSource({
        "dinov3_tiny_mlp/io_48x64.safetensors, 7, 23552, 17910.87229670465",
        "dinov3_tiny_mlp/model_hf.safetensors, 41, 149824, 5458.491282504832",
        "dinov3_tiny_swiglu/io_32x32.safetensors, 7, 8704, 6332.290953013346",
        "dinov3_tiny_swiglu/io_64x48.safetensors, 7, 23552, 17729.17706219952",
        "dinov3_tiny_swiglu/model_hf.safetensors, 45, 183104, 7204.191147063934",
        "feature_stats/stats.safetensors, 2, 784, 205.2094764225185",
        "optim/optim.safetensors, 21, 528, 399.01305435295217",
        "rectified_flow/sampling.safetensors, 24, 221224, 259214.80204481684",
        "svg_autoencoder_tiny/io.safetensors, 7, 55552, 44502.14188499031",
        "svg_dit_tiny/io.safetensors, 7, 72646, 58830.62737213302",
        "svg_dit_tiny/train_step.safetensors, 45, 233021, 40078.38720550139",
    })
    void readsEveryGoldenFile(String file, int tensors, long elements, double absSum) throws IOException {
        SafeTensors.Contents c = Golden.safetensors(file);
        assertThat(c.tensors()).hasSize(tensors);
        long n = 0;
        double sum = 0;
        for (TensorData t : c.tensors().values()) {
            n += t.numel();
            for (double v : t.toDoubleArray()) {
                sum += Math.abs(v);
            }
        }
        assertThat(n).isEqualTo(elements);
        assertThat(sum).isCloseTo(absSum, org.assertj.core.data.Percentage.withPercentage(1e-9));
    }

    @Test
    void readsIntegerTensorsAndMetadata() throws IOException {
        SafeTensors.Contents io = Golden.safetensors("svg_dit_tiny/io.safetensors");
        assertThat(io.get("y").dtype()).isEqualTo(DType.I64);
        assertThat(io.get("y").toLongArray()).containsExactly(3, 7, 10);
        assertThat(io.get("t").toFloatArray()).containsExactly(0.0f, 0.37f, 0.93f);
        assertThat(io.get("out").shape()).containsExactly(3, 256, 48);
        assertThat(Golden.safetensors("svg_dit_tiny/train_step.safetensors").metadata()).containsEntry("shift", "0.4");
        assertThat(Golden.safetensors("optim/optim.safetensors").metadata()).containsEntry("ema", "decay 0.9999");
    }

    @Test
    void roundTripsEveryDtypeAndMetadata() throws IOException {
        Map<String, INDArray> in = new LinkedHashMap<>();
        in.put("f32", Nd4j.createFromArray(new float[][] {{1.5f, -2f, 3.25f}, {0f, 1e-8f, -7f}}));
        in.put("f64", Nd4j.createFromArray(1.0 / 3, -2.5, 1e300));
        in.put("f16", Nd4j.createFromArray(1f, -2f, 0.15625f, 65504f).castTo(DataType.HALF));
        in.put("bf16", Nd4j.createFromArray(1f, -2f, 0.15625f, 3.0e38f).castTo(DataType.BFLOAT16));
        in.put("i64", Nd4j.createFromArray(new long[] {1L << 40, -3, 0}));
        in.put("i32", Nd4j.createFromArray(7, -8));
        in.put("u8", Nd4j.createFromArray(new byte[] {0, 1, 2}).castTo(DataType.UBYTE));
        in.put("bool", Nd4j.createFromArray(true, false, true));
        in.put("scalar", Nd4j.scalar(4.0f));
        Path f = tmp.resolve("rt.safetensors");
        SafeTensors.write(f, in, Map.of("format", "pt", "step", "12"));

        SafeTensors.Contents c = SafeTensors.read(f);
        assertThat(c.metadata()).containsEntry("format", "pt").containsEntry("step", "12");
        assertThat(c.tensors().keySet()).containsExactlyElementsOf(in.keySet());
        assertThat(c.get("f32").dtype()).isEqualTo(DType.F32);
        assertThat(c.get("f32").toFloatArray()).containsExactly(1.5f, -2f, 3.25f, 0f, 1e-8f, -7f);
        assertThat(c.get("f64").toDoubleArray()).containsExactly(1.0 / 3, -2.5, 1e300);
        assertThat(c.get("f16").dtype()).isEqualTo(DType.F16);
        assertThat(c.get("f16").toFloatArray()).containsExactly(1f, -2f, 0.15625f, 65504f);
        assertThat(c.get("bf16").dtype()).isEqualTo(DType.BF16);
        assertThat(c.get("bf16").toFloatArray()[2]).isEqualTo(0.15625f);
        assertThat(c.get("i64").toLongArray()).containsExactly(1L << 40, -3, 0);
        assertThat(c.get("i32").toLongArray()).containsExactly(7, -8);
        assertThat(c.get("u8").toLongArray()).containsExactly(0, 1, 2);
        assertThat(c.get("bool").dtype()).isEqualTo(DType.BOOL);
        assertThat(c.get("bool").toLongArray()).containsExactly(1, 0, 1);
        assertThat(c.get("scalar").shape()).isEmpty();
        assertThat(c.get("scalar").toFloatArray()).containsExactly(4f);
        assertThat(c.get("f32").toINDArray()).isEqualTo(in.get("f32"));
        assertThat(c.get("i64").toINDArray()).isEqualTo(in.get("i64"));
    }

    @Test
    void headerIsPaddedToEightBytes() throws IOException {
        Path f = tmp.resolve("p.safetensors");
        SafeTensors.write(f, Map.of("a", Nd4j.ones(DataType.FLOAT, 3)), Map.of());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong(0) % 8).isZero();
        assertThat(Files.size(f)).isEqualTo(8 + b.getLong(0) + 12);
    }

    @Test
    void failedWriteKeepsThePreviousFile() throws IOException {
        Path f = tmp.resolve("keep.safetensors");
        SafeTensors.write(f, Map.of("a", Nd4j.ones(DataType.FLOAT, 2)), Map.of());
        byte[] before = Files.readAllBytes(f);
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("a", Nd4j.zeros(DataType.FLOAT, 2));
        bad.put("b", "not a tensor");
        assertThatThrownBy(() -> SafeTensors.write(f, bad, Map.of())).isInstanceOf(IllegalArgumentException.class);
        // the body throws half-way through writing
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write(new byte[100]);
            throw new IOException("disk full");
        })).hasMessageContaining("disk full");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("keep.safetensors");
        }
    }

    // ---- bad input: every message names the file, the tensor where there is one, and the problem ----

    @Test
    void truncatedFile() throws IOException {
        Path f = copyGolden("feature_stats/stats.safetensors");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 100));
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("dinov3_sp_std")
                .hasMessageContaining("past the end");
    }

    @Test
    void fileShorterThanItsHeader() throws IOException {
        Path f = copyGolden("feature_stats/stats.safetensors");
        Files.write(f, java.util.Arrays.copyOf(Files.readAllBytes(f), 50));
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("truncated");
        Files.write(f, new byte[3]);
        assertThatThrownBy(() -> SafeTensors.read(f)).hasMessageContaining(f.toString()).hasMessageContaining("truncated");
    }

    @Test
    void headerThatPointsPastTheEnd() throws IOException {
        Path f = withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("'w'").hasMessageContaining("past the end");
    }

    @Test
    void unknownDtype() throws IOException {
        Path f = withHeader("{\"w\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("'w'").hasMessageContaining("unknown dtype")
                .hasMessageContaining("C64");
    }

    @Test
    void shapeAndByteCountDisagree() throws IOException {
        Path f = withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]}}", 16);
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("'w'")
                .hasMessageContaining("needs 24 bytes but data_offsets give 16");
    }

    @Test
    void overlappingTensors() throws IOException {
        Path f = withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertThatThrownBy(() -> SafeTensors.read(f)).hasMessageContaining(f.toString())
                .hasMessageContaining("'b'").hasMessageContaining("overlaps tensor 'a'");
    }

    @Test
    void garbageHeader() throws IOException {
        Path f = withHeader("{\"w\": [1, 2", 0);
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("not valid JSON");
        Path g = tmp.resolve("huge.safetensors");
        Files.write(g, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array());
        assertThatThrownBy(() -> SafeTensors.read(g)).hasMessageContaining(g.toString())
                .hasMessageContaining("not a plausible safetensors header");
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        SafeTensors.Contents c = Golden.safetensors("feature_stats/stats.safetensors");
        assertThatThrownBy(() -> c.get("nope")).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("stats.safetensors").hasMessageContaining("'nope'").hasMessageContaining("no such tensor");
    }

    private Path copyGolden(String name) throws IOException {
        Path f = tmp.resolve(Path.of(name).getFileName());
        Files.copy(Golden.path(name), f);
        return f;
    }

    private Path withHeader(String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = tmp.resolve("crafted.safetensors");
        Files.write(f, b.array());
        return f;
    }
}
