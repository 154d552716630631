package io.hardneg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabeledImages;
import io.hardneg.eval.Evaluation;
import io.hardneg.eval.RecallReport;
import io.hardneg.model.DeviceRequest;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hardneg eval}: Recall@1 of a model on the Fashion-MNIST test split. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Recall@1 (seen, held_out, all) of a model on the Fashion-MNIST test split.")
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory or .onnx file (default: the model shipped in the jar).")
    Path model;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Directory with t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz] "
                    + "(default: Debian's dataset-fashion-mnist if installed, else the copy in the jar).")
    Path data;

    @Option(names = "--images", paramLabel = "N", description = "Evaluate on the first N images only.")
    Integer images;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--json", description = "Print one JSON object as the last line of stdout.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        // Check every flag before reading 10,000 images or loading a model.
        if (images != null && images < 2) {
            throw new ParameterException(spec.commandLine(), "--images must be at least 2, found " + images);
        }
        DeviceRequest dev;
        try {
            dev = DeviceRequest.parse(device);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage().replace("inference.device", "--device"), e, null, device);
        }
        LabeledImages split = FashionMnist.testSplit(data);
        if (images != null) {
            split = split.head(images);
        }
        ModelSource source = model == null ? ModelSource.defaultModel() : ModelSource.path(model);
        try (EmbeddingModel m = EmbeddingModel.load(source, ModelOptions.defaults().withDevice(dev))) {
            Progress progress = new Progress(System.err, "embedding", split.count());
            RecallReport r = Evaluation.run(m, split, done -> progress.update(done, ""));
            out.printf(Locale.ROOT, "model %s version %s on %s, %d images (device %s)%n", m.info().name(),
                    r.modelVersion(), data == null ? "the Fashion-MNIST test split" : data, r.images(),
                    m.device().name());
            out.printf(Locale.ROOT, "%-10s %10s%n", "Recall@1", "model");
            out.printf(Locale.ROOT, "%-10s %10s%n", "seen", fmt(r.seen()));
            out.printf(Locale.ROOT, "%-10s %10s%n", "held_out", fmt(r.heldOut()));
            out.printf(Locale.ROOT, "%-10s %10s%n", "all", fmt(r.all()));
            if (json) {
                out.println(new ObjectMapper().writeValueAsString(r.toJson()));
            }
            out.flush();
        }
        return 0;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }
}
