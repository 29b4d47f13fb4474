package org.svgjava.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads real {@code torch.save} files (golden/) and hand-made ones (torch-fixtures/, written by make_fixtures.py).
 * Expected values never come from the reader itself: they are the Hugging Face safetensors twins of the golden
 * checkpoints, or numbers numpy computed from the raw zip entries / fixture arrays, written here as literals.
 */
class TorchCheckpointTest {
    @TempDir
    Path tmp;

    // ---------------------------------------------------------------------------------------------------------
    // golden checkpoints written by real torch.save

    @ParameterizedTest
    @ValueSource(strings = {"dinov3_tiny_swiglu", "dinov3_tiny_mlp"})
    void dinov3StateDictMatchesItsSafetensorsTwin(String model) throws Exception {
        Map<String, Object> sd = asMap(TorchCheckpoint.load(golden(model + "/model.pth")));
        Map<String, Tensor> hf = readSafetensors(golden(model + "/model_hf.safetensors"));

        assertThat(sd).hasSize(model.endsWith("swiglu") ? 42 : 38);
        // names whose tensors map 1:1 between Meta's and Hugging Face's naming (mask_token differs only in rank)
        Map<String, String> same = new LinkedHashMap<>();
        same.put("cls_token", "embeddings.cls_token");
        same.put("storage_tokens", "embeddings.register_tokens");
        same.put("mask_token", "embeddings.mask_token");
        same.put("patch_embed.proj.weight", "embeddings.patch_embeddings.weight");
        same.put("patch_embed.proj.bias", "embeddings.patch_embeddings.bias");
        same.put("norm.weight", "norm.weight");
        same.put("norm.bias", "norm.bias");
        for (int b = 0; b < 2; b++) {
            same.put("blocks." + b + ".norm1.weight", "layer." + b + ".norm1.weight");
            same.put("blocks." + b + ".norm2.bias", "layer." + b + ".norm2.bias");
            same.put("blocks." + b + ".attn.proj.weight", "layer." + b + ".attention.o_proj.weight");
            same.put("blocks." + b + ".ls1.gamma", "layer." + b + ".layer_scale1.lambda1");
            same.put("blocks." + b + ".ls2.gamma", "layer." + b + ".layer_scale2.lambda1");
            if (model.endsWith("swiglu")) {
                same.put("blocks." + b + ".mlp.w1.weight", "layer." + b + ".mlp.gate_proj.weight");
                same.put("blocks." + b + ".mlp.w2.weight", "layer." + b + ".mlp.up_proj.weight");
                same.put("blocks." + b + ".mlp.w3.weight", "layer." + b + ".mlp.down_proj.weight");
            } else {
                same.put("blocks." + b + ".mlp.fc1.weight", "layer." + b + ".mlp.up_proj.weight");
                same.put("blocks." + b + ".mlp.fc2.bias", "layer." + b + ".mlp.down_proj.bias");
            }
        }
        for (Map.Entry<String, String> e : same.entrySet()) {
            TensorData t = tensor(sd, e.getKey());
            Tensor expected = hf.get(e.getValue());
            assertThat(t.dtype()).as(e.getKey()).isEqualTo(DType.F32);
            assertThat(t.numel()).as(e.getKey()).isEqualTo(expected.numel());
            if (!e.getKey().equals("mask_token")) {
                assertThat(t.shape()).as(e.getKey()).isEqualTo(expected.shape);
            }
            assertThat(t.toFloatArray()).as(e.getKey()).containsExactly(expected.values);
        }
        assertThat(tensor(sd, "mask_token").shape()).containsExactly(1, 64);

        // the fused qkv rows are q, k, v in that order: HF splits them into three projections
        float[] qkv = tensor(sd, "blocks.1.attn.qkv.weight").toFloatArray();
        assertThat(tensor(sd, "blocks.1.attn.qkv.weight").shape()).containsExactly(192, 64);
        String[] parts = {"q_proj", "k_proj", "v_proj"};
        for (int p = 0; p < 3; p++) {
            float[] rows = Arrays.copyOfRange(qkv, p * 64 * 64, (p + 1) * 64 * 64);
            assertThat(rows).as(parts[p]).containsExactly(hf.get("layer.1.attention." + parts[p] + ".weight").values);
        }

        // Meta ships the RoPE periods in bf16; values from numpy: raw uint16 entry << 16 viewed as float32
        TensorData periods = tensor(sd, "rope_embed.periods");
        assertThat(periods.dtype()).isEqualTo(DType.BF16);
        assertThat(periods.shape()).containsExactly(8);
        assertThat(periods.toFloatArray())
                .containsExactly(1.0f, 1.78125f, 3.15625f, 5.625f, 10.0f, 17.75f, 31.625f, 56.25f);
        // bias_mask [1,0,1] per 64-row block masks the k bias
        assertThat(tensor(sd, "blocks.0.attn.qkv.bias_mask").toFloatArray())
                .startsWith(1f).endsWith(1f).contains(0f);
    }

    @Test
    void dinov3ValuesMatchNumpyOnTheRawZipEntries() throws Exception {
        // numbers below: numpy.frombuffer(zip.read('model/data/<key>'), '<f4'), sums in float64
        Map<String, Object> swiglu = asMap(TorchCheckpoint.load(golden("dinov3_tiny_swiglu/model.pth")));
        assertThat(totalNumel(swiglu)).isEqualTo(183624);
        expectStats(tensor(swiglu, "blocks.1.mlp.w3.weight"), new long[] {64, 256},
                0.029046140611171722, 0.05262487009167671, -1.4140812906734936);
        expectStats(tensor(swiglu, "blocks.0.attn.qkv.bias"), new long[] {192},
                -0.15663062036037445, 0.20666281878948212, 2.9849958061240613);
        assertThat(new ArrayList<>(swiglu.keySet())).startsWith("cls_token", "storage_tokens", "mask_token")
                .endsWith("norm.weight", "norm.bias");

        Map<String, Object> mlp = asMap(TorchCheckpoint.load(golden("dinov3_tiny_mlp/model.pth")));
        assertThat(totalNumel(mlp)).isEqualTo(150344);
        expectStats(tensor(mlp, "blocks.0.mlp.fc1.weight"), new long[] {256, 64},
                0.03879374638199806, 0.022241272032260895, 2.732533927950044);
        expectStats(tensor(mlp, "norm.bias"), new long[] {64},
                -0.3532976806163788, 0.0328194797039032, 2.6545144068077207);
    }

    @Test
    void contiguousTensorsAreZeroCopyViewsOfTheMappedFile() throws Exception {
        Map<String, Object> sd = asMap(TorchCheckpoint.load(golden("dinov3_tiny_swiglu/model.pth")));
        assertThat(tensor(sd, "blocks.0.mlp.w1.weight").bytes().isDirect()).isTrue();
    }

    @Test
    void svgDitCheckpointHoldsTheEmaStateDict() throws Exception {
        Map<String, Object> top = asMap(TorchCheckpoint.load(golden("svg_dit_tiny/checkpoint.pt")));
        assertThat(top).containsOnlyKeys("ema");
        Map<String, Object> ema = asMap(top.get("ema"));
        // names, order and sizes from the pickle as Python's pickletools/numpy read it
        assertThat(ema).hasSize(40).doesNotContainKey("_metadata");
        assertThat(new ArrayList<>(ema.keySet())).startsWith("pos_embed", "t_embedder.mlp.0.weight")
                .endsWith("final_layer.adaLN_modulation.1.weight", "final_layer.adaLN_modulation.1.bias");
        assertThat(totalNumel(ema)).isEqualTo(200240);
        assertThat(tensor(ema, "blocks.1.adaLN_modulation.1.weight").shape()).containsExactly(384, 64);
        assertThat(tensor(ema, "ln1.weight").shape()).containsExactly(64, 24);
        expectStats(tensor(ema, "ln1.weight"), new long[] {64, 24},
                -0.057389941066503525, 0.46059316396713257, 0.9033262705270317);
        expectStats(tensor(ema, "y_embedder.embedding_table.weight"), new long[] {11, 64},
                -0.10011901706457138, -0.028542503714561462, -3.2015284073131625);
        expectStats(tensor(ema, "final_layer.linear.bias"), new long[] {48},
                0.05738399177789688, 0.011907230131328106, 1.5306712025776505);

        // the fixed sin-cos positions were also dumped by the forward pass into io.safetensors
        TensorData pos = tensor(ema, "pos_embed");
        assertThat(pos.shape()).containsExactly(1, 256, 64);
        assertThat(pos.toFloatArray())
                .containsExactly(readSafetensors(golden("svg_dit_tiny/io.safetensors")).get("pos_embed").values);
    }

    @Test
    void svgAutoencoderCheckpointHoldsALightningStyleStateDict() throws Exception {
        Map<String, Object> top = asMap(TorchCheckpoint.load(golden("svg_autoencoder_tiny/autoencoder.ckpt")));
        assertThat(top).containsOnlyKeys("state_dict", "global_step");
        assertThat(top.get("global_step")).isEqualTo(0L);
        Map<String, Object> sd = asMap(top.get("state_dict"));
        assertThat(sd).hasSize(183);
        Map<String, Integer> prefixes = new HashMap<>();
        sd.keySet().forEach(k -> prefixes.merge(k.split("\\.")[0], 1, Integer::sum));
        assertThat(prefixes).containsOnly(Map.entry("encoder", 42), Map.entry("extra_vit", 34),
                Map.entry("decoder", 106), Map.entry("mask_token", 1));

        TensorData mask = tensor(sd, "mask_token");
        assertThat(mask.shape()).containsExactly(1, 8, 1);
        assertThat(mask.toFloatArray()).containsExactly(-0.045734941959381104f, -0.009929167106747627f,
                -0.04697876796126366f, 0.007577017415314913f, 0.0185257401317358f, -0.012564119882881641f,
                0.023308809846639633f, 0.012812526896595955f);
        expectStats(tensor(sd, "decoder.conv_in.weight"), new long[] {64, 72, 3, 3},
                0.017048191279172897, 0.025040367618203163, 4.4141990376434705);
        assertThat(tensor(sd, "extra_vit.conv_proj.weight").shape()).containsExactly(32, 3, 16, 16);

        // the frozen encoder is dinov3_tiny_swiglu: same values (its periods are re-saved as f32 here)
        Map<String, Object> dino = asMap(TorchCheckpoint.load(golden("dinov3_tiny_swiglu/model.pth")));
        for (String name : dino.keySet()) {
            assertThat(tensor(sd, "encoder." + name).toFloatArray()).as(name)
                    .containsExactly(tensor(dino, name).toFloatArray());
        }
        assertThat(tensor(sd, "encoder.rope_embed.periods").dtype()).isEqualTo(DType.F32);
    }

    @Test
    void featureStatsMatchTheirSafetensorsTwin() throws Exception {
        Map<String, Object> stats = asMap(TorchCheckpoint.load(golden("feature_stats/stats.pt")));
        Map<String, Tensor> expected = readSafetensors(golden("feature_stats/stats.safetensors"));
        assertThat(stats).containsOnlyKeys("dinov3_sp_mean", "dinov3_sp_std");
        for (String name : stats.keySet()) {
            TensorData t = tensor(stats, name);
            assertThat(t.dtype()).isEqualTo(DType.F32);
            assertThat(t.shape()).containsExactly(1, 1, 392);
            assertThat(t.toFloatArray()).containsExactly(expected.get(name).values);
        }
    }

    @Test
    void everyTensorOfEveryGoldenTorchFileLoadsWithFiniteValues() throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(golden(""))) {
            files = walk.filter(p -> p.toString().matches(".*\\.(pt|pth|ckpt)$")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(5);
        for (Path file : files) {
            List<TensorData> tensors = new ArrayList<>();
            collectTensors(TorchCheckpoint.load(file), tensors);
            assertThat(tensors).as(file.toString()).isNotEmpty();
            for (TensorData t : tensors) {
                assertThat(t.byteSize()).isEqualTo(t.numel() * t.dtype().byteSize());
                for (double v : t.toDoubleArray()) {
                    assertThat(Double.isFinite(v)).as(file + " " + t).isTrue();
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // fixtures from torch-fixtures/make_fixtures.py; literals are the numpy arrays that script wrote

    @Test
    void stridedViewsDtypesAndNestedContainers() throws Exception {
        Map<String, Object> top = asMap(TorchCheckpoint.load(fixture("views.pt")));
        assertThat(new ArrayList<>(top.keySet())).containsExactly("model", "args", "step", "list");
        assertThat(top.get("step")).isEqualTo(7L);
        assertThat(top.get("list")).isEqualTo(List.of(1L, 2.5, "s"));
        assertThat(asMap(top.get("args"))).containsExactly(Map.entry("lr", 1e-4), Map.entry("name", "x"));

        Map<String, Object> model = asMap(top.get("model"));
        // _metadata is an attribute of the state dict, not an entry
        assertThat(new ArrayList<>(model.keySet()))
                .containsExactly("w", "w_t", "offset_view", "scalar", "bf16", "f16", "i64", "param");

        // storage 0 holds base = arange(12) * 0.5 - 1
        TensorData w = tensor(model, "w");
        assertThat(w.shape()).containsExactly(3, 4);
        assertThat(w.toFloatArray()).containsExactly(-1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f, 3.5f,
                4.0f, 4.5f);
        TensorData wt = tensor(model, "w_t");
        assertThat(wt.shape()).containsExactly(4, 3);
        assertThat(wt.toFloatArray()).containsExactly(-1.0f, 1.0f, 3.0f, -0.5f, 1.5f, 3.5f, 0.0f, 2.0f, 4.0f, 0.5f,
                2.5f, 4.5f);
        TensorData offset = tensor(model, "offset_view");
        assertThat(offset.shape()).containsExactly(2, 2);
        assertThat(offset.toFloatArray()).containsExactly(1.5f, 2.0f, 3.5f, 4.0f);
        TensorData scalar = tensor(model, "scalar");
        assertThat(scalar.shape()).isEmpty();
        assertThat(scalar.toFloatArray()).containsExactly(4.5f);
        TensorData param = tensor(model, "param");
        assertThat(param.shape()).containsExactly(2, 3);
        assertThat(param.toFloatArray()).containsExactly(0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f);

        TensorData bf16 = tensor(model, "bf16");
        assertThat(bf16.dtype()).isEqualTo(DType.BF16);
        assertThat(bf16.toFloatArray()).containsExactly(1.0f, -2.5f, 0.15625f, 96.0f, -0.0078125f);
        TensorData f16 = tensor(model, "f16");
        assertThat(f16.dtype()).isEqualTo(DType.F16);
        assertThat(f16.toDoubleArray()).containsExactly(0.5, -1.5, 65504.0, 6.103515625e-05, 0.0999755859375);
        TensorData i64 = tensor(model, "i64");
        assertThat(i64.dtype()).isEqualTo(DType.I64);
        assertThat(i64.shape()).containsExactly(2, 2);
        assertThat(i64.toLongArray()).containsExactly(0L, 1099511627777L, 7L, -4611686018427387904L);
    }

    @Test
    void legacyFormatWithPairListOrderedDictAndStorageViews() throws Exception {
        Map<String, Object> sd = asMap(TorchCheckpoint.load(fixture("legacy.pt")));
        assertThat(new ArrayList<>(sd.keySet())).containsExactly("a", "b", "c");
        // root storage = arange(10) * 1.5, saved on 'cuda:0'
        TensorData a = tensor(sd, "a");
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.toFloatArray()).containsExactly(0.0f, 1.5f, 3.0f, 4.5f, 6.0f, 7.5f);
        // b: root[2:6] as a legacy storage view, read transposed
        TensorData b = tensor(sd, "b");
        assertThat(b.shape()).containsExactly(2, 2);
        assertThat(b.toFloatArray()).containsExactly(3.0f, 6.0f, 4.5f, 7.5f);
        TensorData c = tensor(sd, "c");
        assertThat(c.dtype()).isEqualTo(DType.F64);
        assertThat(c.toDoubleArray()).containsExactly(0.25, -8.0, 1e10);
    }

    @Test
    void zip64LocalHeadersAreFollowedToTheStorageBytes() throws Exception {
        // every local header of zip64.pt has sizes 0xffffffff and a zip64 extra field, so the data offset differs
        // from the one a plain header would give
        Map<String, Object> sd = asMap(TorchCheckpoint.load(fixture("zip64.pt")));
        assertThat(tensor(sd, "t").toFloatArray()).containsExactly(-1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 2.5f,
                3.0f, 3.5f, 4.0f, 4.5f);
    }

    // ---------------------------------------------------------------------------------------------------------
    // bad input: always a WeightFileException naming file, tensor where there is one, and the problem

    @Test
    void truncatedZipIsReportedAsSuch() throws Exception {
        byte[] whole = Files.readAllBytes(golden("svg_dit_tiny/checkpoint.pt"));
        Path cut = tmp.resolve("half.pt");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> TorchCheckpoint.load(cut)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("half.pt").hasMessageContaining("truncated");
    }

    @Test
    void truncatedPickleIsReportedAsSuch() throws Exception {
        byte[] pickle = zipEntry(golden("feature_stats/stats.pt"), "stats/data.pkl");
        Path file = writeZip("cut_pickle.pt", Map.of("archive/data.pkl", Arrays.copyOf(pickle, 150)));
        assertThatThrownBy(() -> TorchCheckpoint.load(file)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("cut_pickle.pt").hasMessageContaining("truncated");
    }

    @Test
    void truncatedLegacyFileIsReportedAsSuch() throws Exception {
        byte[] whole = Files.readAllBytes(fixture("legacy.pt"));
        Path cut = tmp.resolve("legacy_cut.pt");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 8));
        assertThatThrownBy(() -> TorchCheckpoint.load(cut)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("legacy_cut.pt").hasMessageContaining("truncated");
    }

    @Test
    void zipWithoutDataPklIsNotACheckpoint() throws Exception {
        Path file = writeZip("nothing.pt", Map.of("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)));
        assertThatThrownBy(() -> TorchCheckpoint.load(file)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("nothing.pt").hasMessageContaining("no data.pkl");
    }

    @Test
    void refusesOsSystemWithoutRunningIt() throws Exception {
        Path witness = tmp.resolve("pwned");
        // protocol 2, exactly what pickle.dumps of a __reduce__ returning (os.system, (cmd,)) writes
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        pkl.writeBytes("\u0080\u0002cos\nsystem\nq\u0000".getBytes(StandardCharsets.ISO_8859_1));
        byte[] cmd = ("touch " + witness).getBytes(StandardCharsets.UTF_8);
        pkl.write('X');
        pkl.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(cmd.length).array());
        pkl.writeBytes(cmd);
        pkl.writeBytes("q\u0001\u0085q\u0002Rq\u0003.".getBytes(StandardCharsets.ISO_8859_1));
        Path file = writeZip("evil.pt", Map.of("archive/data.pkl", pkl.toByteArray()));

        assertThatThrownBy(() -> TorchCheckpoint.load(file)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("evil.pt").hasMessageContaining("os.system")
                .hasMessageContaining("allow-list");
        assertThat(witness).doesNotExist();
    }

    @Test
    void refusesGlobalsNamedThroughStackGlobal() throws Exception {
        // protocol 4: SHORT_BINUNICODE 'builtins', SHORT_BINUNICODE 'eval', STACK_GLOBAL, '1+1', TUPLE1, REDUCE
        byte[] pkl = "\u0080\u0004\u008c\u0008builtins\u008c\u0004eval\u0093\u008c\u00031+1\u0085R."
                .getBytes(StandardCharsets.ISO_8859_1);
        Path file = writeZip("evil4.pt", Map.of("archive/data.pkl", pkl));
        assertThatThrownBy(() -> TorchCheckpoint.load(file)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("evil4.pt").hasMessageContaining("builtins.eval");
    }

    @Test
    void storageEntryShorterThanItsElementCount() {
        Path file = fixture("bad_short_storage.pt");
        assertThatThrownBy(() -> TorchCheckpoint.load(file)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("bad_short_storage.pt").hasMessageContaining("short.weight")
                .hasMessageContaining("needs 48 bytes").hasMessageContaining("holds 40");
    }

    @Test
    void unknownStorageTypeIsNamed() {
        Path file = fixture("bad_storage_type.pt");
        assertThatThrownBy(() -> TorchCheckpoint.load(file)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("bad_storage_type.pt").hasMessageContaining("'z'")
                .hasMessageContaining("torch.ComplexFloatStorage");
    }

    @Test
    void viewBeyondItsStorageIsRefused() {
        Path file = fixture("bad_view.pt");
        assertThatThrownBy(() -> TorchCheckpoint.load(file)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("bad_view.pt").hasMessageContaining("model/too_far")
                .hasMessageContaining("needs element 15 but storage '0' has 12");
    }

    @Test
    void fileThatIsNeitherZipNorPickle() throws Exception {
        Path file = tmp.resolve("text.pt");
        Files.writeString(file, "hello");
        assertThatThrownBy(() -> TorchCheckpoint.load(file)).isInstanceOf(WeightFileException.class)
                .hasMessageContaining("text.pt").hasMessageContaining("not a torch checkpoint");
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    private Path golden(String name) throws URISyntaxException {
        return Path.of(getClass().getResource("/golden/" + name).toURI());
    }

    private Path fixture(String name) {
        try {
            return Path.of(getClass().getResource("/torch-fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        assertThat(o).isInstanceOf(LinkedHashMap.class);
        return (Map<String, Object>) o;
    }

    private static TensorData tensor(Map<String, Object> map, String name) {
        assertThat(map).containsKey(name);
        assertThat(map.get(name)).as(name).isInstanceOf(TensorData.class);
        return (TensorData) map.get(name);
    }

    private static long totalNumel(Map<String, Object> stateDict) {
        return stateDict.values().stream().mapToLong(t -> ((TensorData) t).numel()).sum();
    }

    private static void expectStats(TensorData t, long[] shape, double first, double last, double sum) {
        assertThat(t.shape()).isEqualTo(shape);
        double[] v = t.toDoubleArray();
        assertThat(v[0]).isEqualTo(first);
        assertThat(v[v.length - 1]).isEqualTo(last);
        // numpy sums pairwise, this sequentially: agree to rounding
        assertThat(Arrays.stream(v).sum()).isCloseTo(sum, within(1e-9 * Math.max(1, Math.abs(sum))));
    }

    private static void collectTensors(Object o, List<TensorData> out) {
        if (o instanceof TensorData t) {
            out.add(t);
        } else if (o instanceof Map<?, ?> m) {
            m.values().forEach(v -> collectTensors(v, out));
        } else if (o instanceof List<?> l) {
            l.forEach(v -> collectTensors(v, out));
        }
    }

    private Path writeZip(String name, Map<String, byte[]> entries) throws IOException {
        Path file = tmp.resolve(name);
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(e.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(e.getValue());
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    private static byte[] zipEntry(Path file, String name) throws IOException {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            return zip.getInputStream(zip.getEntry(name)).readAllBytes();
        }
    }

    /** A safetensors F32 tensor, read by this test's own parser (independent of the project's reader). */
    private record Tensor(long[] shape, float[] values) {
        long numel() {
            return values.length;
        }
    }

    private static Map<String, Tensor> readSafetensors(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = Math.toIntExact(buf.getLong(0));
        JsonNode header = new ObjectMapper().readTree(new String(buf.array(), 8, headerLength, StandardCharsets.UTF_8));
        Map<String, Tensor> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : header.properties()) {
            if (e.getKey().equals("__metadata__") || !e.getValue().get("dtype").asText().equals("F32")) {
                continue;
            }
            long[] shape = new long[e.getValue().get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get("shape").get(i).asLong();
            }
            int begin = 8 + headerLength + e.getValue().get("data_offsets").get(0).asInt();
            int end = 8 + headerLength + e.getValue().get("data_offsets").get(1).asInt();
            float[] values = new float[(end - begin) / 4];
            buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(begin).limit(end).slice()
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            out.put(e.getKey(), new Tensor(shape, values));
        }
        return out;
    }
}
