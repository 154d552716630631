package io.hardneg.cli;

import io.hardneg.data.FashionMnist;
import io.hardneg.data.IdxReader;
import io.hardneg.data.LabeledImages;
import io.hardneg.producer.ImageSender;
import io.hardneg.producer.ImageSource;
import io.hardneg.producer.LabeledImage;
import io.hardneg.stream.Topics;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hardneg produce}: sends a folder of images or an IDX set to the images topic. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Sends images with label headers: an ImageFolder (DIR/<label>/*.png) or IDX files.")
final class ProduceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Parameters(paramLabel = "DIR", description = "ImageFolder layout: DIR/<label>/<image>.")
        Path dir;

        @Option(names = "--idx", arity = "2", paramLabel = "FILE",
                description = "IDX images and labels files (gz or not), e.g. Fashion-MNIST's t10k pair.")
        Path[] idx;

        @Option(names = "--sample", description = "The Fashion-MNIST test split bundled in the jar.")
        boolean sample;
    }

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Default: bootstrap.servers from the configuration, else 127.0.0.1:9092.")
    String bootstrapServers;

    @Mixin
    KafkaClientOptions kafka;

    @Option(names = "--topic", defaultValue = "images", description = "Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "N", description = "Images per second; 0 = as fast as possible.")
    double rate;

    @Option(names = "--limit", paramLabel = "N", description = "Send at most N images.")
    Integer limit;

    @Option(names = "--skip", defaultValue = "0", paramLabel = "N",
            description = "Start after the first N images (ids keep their position in the source).")
    int skip;

    @Override
    public Integer call() throws Exception {
        if (!(rate >= 0) || (limit != null && limit < 0) || skip < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rate, --limit and --skip must be "
                    + ">= 0, found --rate " + rate + (limit == null ? "" : " --limit " + limit) + " --skip " + skip);
        }
        ImageSource source = source();
        int available = Math.max(0, source.size() - skip);
        int total = limit == null ? available : Math.min(limit, available);
        PrintWriter out = spec.commandLine().getOut();
        Progress progress = new Progress(System.err, "producing", total);
        String bootstrap = kafka.bootstrapServers(bootstrapServers, KafkaClientOptions.DEFAULT_BOOTSTRAP);
        try (ImageSender sender = new ImageSender(bootstrap, topic, rate, kafka.clientSettings())) {
            int n = 0;
            int position = 0;
            for (LabeledImage img : source) {
                if (position++ < skip) {
                    continue;
                }
                if (n == total) {
                    break;
                }
                sender.send(img);
                progress.update(++n, "");
            }
            sender.flush();
            out.println("sent " + sender.acked() + " images to '" + topic + "' on " + bootstrap);
        }
        return 0;
    }

    private ImageSource source() throws Exception {
        if (input.sample) {
            return ImageSource.idx(FashionMnist.bundled(), "fmnist-test");
        }
        if (input.idx != null) {
            for (Path p : input.idx) {
                if (!Files.isRegularFile(p)) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "IDX file " + p + " does not exist");
                }
            }
            try (InputStream img = Files.newInputStream(input.idx[0]); InputStream lab = Files.newInputStream(input.idx[1])) {
                LabeledImages set = IdxReader.read(img, lab, input.idx[0].getFileName().toString());
                return ImageSource.idx(set, input.idx[0].getFileName().toString().replaceAll("[-.].*", ""));
            }
        }
        return ImageSource.folder(input.dir);
    }
}
