package io.hardneg.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingModelTest {

    private static EmbeddingModel tinyRgb;

    @BeforeAll
    static void loadTinyRgb() throws ModelLoadException {
        tinyRgb = TestModels.load("tiny-rgb");
    }

    @AfterAll
    static void closeTinyRgb() {
        tinyRgb.close();
    }

    @Test
    void shouldKeepIntraOpThreadsFromSpinningUnlessAsked() throws Exception {
        try (ai.onnxruntime.OrtSession.SessionOptions quiet = new ai.onnxruntime.OrtSession.SessionOptions();
             ai.onnxruntime.OrtSession.SessionOptions spinning = new ai.onnxruntime.OrtSession.SessionOptions()) {
            EmbeddingModel.configure(quiet, ModelOptions.defaults());
            EmbeddingModel.configure(spinning, ModelOptions.defaults().withSpin(true));

            assertThat(quiet.getConfigEntries()).containsEntry(EmbeddingModel.ALLOW_SPINNING, "0");
            assertThat(spinning.getConfigEntries()).containsEntry(EmbeddingModel.ALLOW_SPINNING, "1");
        }
    }

    @Test
    void shouldGiveEachCoreAnIntraOpThreadUnlessTold() {
        assertThat(ModelOptions.defaults().effectiveIntraOpThreads(2)).isEqualTo(2);
        assertThat(ModelOptions.defaults().effectiveIntraOpThreads(16)).isEqualTo(16);
        assertThat(ModelOptions.defaults().effectiveIntraOpThreads(0)).isEqualTo(1);
        assertThat(ModelOptions.defaults().withIntraOpThreads(1).effectiveIntraOpThreads(16)).isEqualTo(1);
    }

    @Test
    void shouldAdmitAsManyCpuRunsAtOnceAsTheCoresHoldIntraOpPools() {
        // A run with a pool as large as the cores takes them all: one at a time
        assertThat(EmbeddingModel.runSlots(Device.cpu(), 2, 2)).isEqualTo(1);
        assertThat(EmbeddingModel.runSlots(Device.cpu(), 16, 16)).isEqualTo(1);
        // Single-threaded runs, one per core; a pool larger than the cores still runs
        assertThat(EmbeddingModel.runSlots(Device.cpu(), 1, 2)).isEqualTo(2);
        assertThat(EmbeddingModel.runSlots(Device.cpu(), 4, 16)).isEqualTo(4);
        assertThat(EmbeddingModel.runSlots(Device.cpu(), 4, 2)).isEqualTo(1);
        // A GPU queues its own runs
        assertThat(EmbeddingModel.runSlots(new Device("cuda:0", null), 2, 2)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void shouldRunOneBatchAtATimeWithTheDefaultThreads() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(tinyRgb.runSlots()).isEqualTo(1);
        try (EmbeddingModel single = EmbeddingModel.load(ModelSource.path(TestModels.versionDir("tiny-rgb")),
                ModelOptions.defaults().withDevice(DeviceRequest.cpu()).withIntraOpThreads(1))) {
            assertThat(single.runSlots()).isEqualTo(cores);
        }
    }

    @Test
    void shouldReadShapeNormalisationAndIdentityFromTinyRgbMetadata() {
        ModelInfo info = tinyRgb.info();

        assertThat(info.inputSpec().channels()).isEqualTo(3);
        assertThat(info.inputSpec().height()).isEqualTo(32);
        assertThat(info.inputSpec().width()).isEqualTo(32);
        assertThat(info.inputSpec().mean()).containsExactly(0.485f, 0.456f, 0.406f);
        assertThat(info.inputSpec().std()).containsExactly(0.229f, 0.224f, 0.225f);
        assertThat(info.embeddingDim()).isEqualTo(16);
        assertThat(info.version()).isEqualTo("1");
        assertThat(info.name()).isEqualTo("tiny-rgb");
        assertThat(info.l2NormalizedByModel()).isTrue();
    }

    @Test
    void shouldMatchPyTorchReferenceOutputsForTinyRgb() throws Exception {
        // Given the reference inputs of reference.json
        TestModels.Reference ref = TestModels.reference("tiny-rgb");
        assertThat(ref.cases()).hasSize(2);
        for (TestModels.Case c : ref.cases()) {
            // When ONNX Runtime embeds them
            float[] out = tinyRgb.embed(c.input(), c.n());

            // Then they match PyTorch within the reference's tolerance, and are unit length
            assertThat(out).as("case %s", c.kind()).hasSize(c.output().length);
            for (int i = 0; i < out.length; i++) {
                assertThat(out[i]).as("case %s, value %d", c.kind(), i).isCloseTo(c.output()[i], within((float) ref.tolerance()));
            }
            for (int r = 0; r < c.n(); r++) {
                assertThat(TestModels.norm(out, r, c.dim())).isCloseTo(1.0, within(1e-5));
            }
        }
    }

    @Test
    void shouldL2NormaliseOutputsOfAModelThatDoesNotNormaliseItself() throws Exception {
        TestModels.Reference ref = TestModels.reference("unnormalised");
        try (EmbeddingModel model = TestModels.load("unnormalised")) {
            assertThat(model.info().l2NormalizedByModel()).isFalse();
            for (TestModels.Case c : ref.cases()) {
                // Given the raw graph output is far from unit length
                assertThat(TestModels.norm(c.output(), 0, c.dim())).isGreaterThan(1.5);

                float[] out = model.embed(c.input(), c.n());

                float[] expected = TestModels.normalizedRows(c.output(), c.dim());
                for (int i = 0; i < out.length; i++) {
                    assertThat(out[i]).as("case %s, value %d", c.kind(), i).isCloseTo(expected[i], within(1e-5f));
                }
                for (int r = 0; r < c.n(); r++) {
                    assertThat(TestModels.norm(out, r, c.dim())).isCloseTo(1.0, within(1e-5));
                }
            }
        }
    }

    @Test
    void shouldRefuseModelWhoseOutputIsNotRankTwo() {
        assertThatThrownBy(() -> TestModels.load("bad-output-rank"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("output must be float32 [N,D]")
                .hasMessageContaining("found FLOAT [-1, 2, 4]")
                .hasMessageContaining("bad-output-rank");
    }

    @Test
    void shouldFallBackToDefaultsAndFolderNamesWithoutMetadata() throws Exception {
        try (EmbeddingModel model = TestModels.load("no-metadata")) {
            ModelInfo info = model.info();

            assertThat(info.inputSpec().channels()).isEqualTo(1);
            assertThat(info.inputSpec().height()).isEqualTo(28);
            assertThat(info.inputSpec().width()).isEqualTo(28);
            assertThat(info.inputSpec().mean()).containsExactly(0f);
            assertThat(info.inputSpec().std()).containsExactly(1f);
            assertThat(info.embeddingDim()).isEqualTo(8);
            assertThat(info.version()).isEqualTo("1");
            assertThat(info.name()).isEqualTo("no-metadata");
            assertThat(info.heldOutClasses()).isEmpty();
            assertThat(info.classNames()).isEmpty();

            TestModels.Case c = TestModels.reference("no-metadata").cases().get(1);
            float[] out = model.embed(c.input(), c.n());
            for (int i = 0; i < out.length; i++) {
                assertThat(out[i]).isCloseTo(c.output()[i], within(1e-5f));
            }
        }
    }

    @Test
    void shouldRefuseAFileThatIsNotOnnxWithAClearMessage(@TempDir Path dir) throws Exception {
        // Given random bytes named model.onnx
        byte[] junk = new byte[4096];
        new Random(42).nextBytes(junk);
        Path file = dir.resolve("model.onnx");
        Files.write(file, junk);

        // Then loading it fails with our exception naming the file, not a raw OrtException
        assertThatThrownBy(() -> EmbeddingModel.load(ModelSource.path(file), ModelOptions.defaults().withDevice(DeviceRequest.cpu())))
                .isExactlyInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("cannot load ONNX model " + file);
    }

    @Test
    void shouldNameTheMissingPath(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere");

        assertThatThrownBy(() -> ModelSource.path(missing))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("model path " + missing + " does not exist");
    }

    @Test
    void shouldReportCpuWithFallbackReasonOnTheCpuBuildWhenAutoIsAsked() throws Exception {
        try (EmbeddingModel model = EmbeddingModel.load(ModelSource.path(TestModels.versionDir("tiny-rgb")),
                ModelOptions.defaults())) {
            assertThat(model.device().name()).isEqualTo("cpu");
            assertThat(model.device().isCuda()).isFalse();
            assertThat(model.device().fallbackReason()).isNotBlank();
        }
    }

    @Test
    void shouldFailWhenCudaIsDemandedOnTheCpuBuild() {
        assertThatThrownBy(() -> EmbeddingModel.load(ModelSource.path(TestModels.versionDir("tiny-rgb")),
                ModelOptions.defaults().withDevice(DeviceRequest.parse("cuda"))))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("inference.device=cuda:0")
                .hasMessageContaining("-Pgpu");
    }

    @Test
    void shouldEmbedABatchExactlyAsItsImagesOneByOne() throws Exception {
        // Given 5 random images
        int size = tinyRgb.info().inputSpec().size();
        int dim = tinyRgb.info().embeddingDim();
        float[] images = randomImages(5, size, 3);

        // When embedded as one batch and one at a time
        float[] batch = tinyRgb.embed(images, 5);
        for (int k = 0; k < 5; k++) {
            float[] one = new float[size];
            System.arraycopy(images, k * size, one, 0, size);
            float[] single = tinyRgb.embed(one, 1);

            // Then the rows agree
            for (int i = 0; i < dim; i++) {
                assertThat(batch[k * dim + i]).as("image %d value %d", k, i).isCloseTo(single[i], within(1e-6f));
            }
        }
    }

    @Test
    void shouldRefuseBuffersTooSmallForTheBatch() {
        FloatBuffer in = tinyRgb.allocateInput(2);
        FloatBuffer out = tinyRgb.allocateOutput(2);

        assertThatThrownBy(() -> tinyRgb.embed(in, out, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch of 3")
                .hasMessageContaining("need " + 3 * tinyRgb.info().inputSpec().size());
        assertThatThrownBy(() -> tinyRgb.embed(tinyRgb.allocateInput(3), out, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("need " + 3 * tinyRgb.info().embeddingDim());
    }

    @Test
    void shouldGiveIdenticalResultsWhenThreadsEmbedConcurrently() throws Exception {
        int size = tinyRgb.info().inputSpec().size();
        float[] images = randomImages(4, size, 11);
        float[] expected = tinyRgb.embed(images, 4);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<float[]>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    List<float[]> results = new ArrayList<>();
                    for (int rep = 0; rep < 10; rep++) {
                        results.add(tinyRgb.embed(images, 4));
                    }
                    return results;
                }));
            }
            for (Future<List<float[]>> f : futures) {
                for (float[] r : f.get()) {
                    assertThat(r).containsExactly(expected);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static float[] randomImages(int n, int size, long seed) {
        Random rnd = new Random(seed);
        float[] images = new float[n * size];
        for (int i = 0; i < images.length; i++) {
            images[i] = rnd.nextFloat() * 2 - 1;
        }
        return images;
    }
}
