package io.hardneg.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.broker.BrokerOptions;
import io.hardneg.broker.EmbeddedKafkaBroker;
import io.hardneg.config.ConfigLoader;
import io.hardneg.config.HardnegConfig;
import io.hardneg.data.PngEncoder;
import io.hardneg.image.InputSpec;
import io.hardneg.producer.ImageSender;
import io.hardneg.producer.LabeledImage;
import io.hardneg.service.HardnegService;
import io.hardneg.service.HeapBudget;
import io.hardneg.service.OutputTally;
import io.hardneg.stream.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Holds {@link HeapBudget}: the service in a child JVM whose {@code -Xmx} is exactly the budget of its
 * (scaled-down) configuration, fed the worst input that configuration admits (every image at
 * {@code input.max-bytes}, incompressible, many labels so the bank fills with images, pixel bombs), must process
 * all of it without an OutOfMemoryError ({@code -XX:+ExitOnOutOfMemoryError} would end it).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BoundedHeapIT {

    static final int MAX_BYTES = 64 * 1024;
    static final int SIDE = 250; // 62,500 noise pixels: a PNG just under 64 KiB
    static final int IMAGES = Integer.getInteger("hardneg.it.heap.images", 1500);

    static final Path GC_LOG = Figures.DIR.resolve("heap-gc.log");
    /** "GC(3) Pause Young (Normal) (G1 Evacuation Pause) 45M->12M(100M) 3.4ms": before and after, in MiB. */
    static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\(");

    static long peakAfterGcMib() throws IOException {
        return gcPeak(2);
    }

    static long peakBeforeGcMib() throws IOException {
        return gcPeak(1);
    }

    private static long gcPeak(int group) throws IOException {
        long peak = 0;
        for (String line : Files.readAllLines(GC_LOG)) {
            Matcher m = GC_LINE.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(group)));
            }
        }
        return peak;
    }

    static Map<String, String> settings() {
        Map<String, String> m = new HashMap<>();
        m.put("input.max-bytes", Integer.toString(MAX_BYTES));
        m.put("input.max-pixels", Integer.toString(512 * 512));
        m.put("inference.batch.max", "16");
        m.put("bank.max", "512");
        m.put("bank.per-label", "32");
        m.put("output.include-images", "true");
        return m;
    }

    @Test
    void shouldProcessWorstCaseInputWithinItsHeapBudget() throws Exception {
        Map<String, String> cfg = new HashMap<>(settings());
        cfg.put("bootstrap.servers", "unused:9092");
        HardnegConfig config = ConfigLoader.fromMap(cfg);
        // The test models are 1x28x28 with D = 8; the shipped one has D = 64: take the larger.
        HeapBudget budget = HeapBudget.of(config, InputSpec.gray(28, 28, 0.5f, 0.5f), 64, 4);
        // -Dhardneg.it.heap.xmx-mib=N runs it under another heap (to see the test fail below the budget).
        long xmxMib = Long.getLong("hardneg.it.heap.xmx-mib", (budget.total() + (1 << 20) - 1) >> 20);
        long t0 = System.nanoTime();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerOptions.defaults())) {
            FaultToleranceIT.provisionTopics(broker.bootstrapServers());
            Random random = new Random(7);
            int bombs = 0;
            try (ImageSender sender = new ImageSender(broker.bootstrapServers(), Topics.IMAGES.name(), 0, Map.of())) {
                for (int i = 0; i < IMAGES; i++) {
                    byte[] px = new byte[SIDE * SIDE];
                    random.nextBytes(px);
                    byte[] png = PngEncoder.gray(px, SIDE, SIDE);
                    assertThat(png.length).isLessThanOrEqualTo(MAX_BYTES);
                    // 48 labels: the bank (32 a label, 512 in all) fills with full-size images
                    sender.send(new LabeledImage("big-" + i, "L" + (i % 48), png));
                    if (i % 100 == 0) {
                        sender.send(new LabeledImage("bomb-" + i, "L0", HostileInputIT.corpus("bomb-50000x50000.png")));
                        bombs++;
                    }
                }
                sender.flush();
            }
            List<String> sets = new ArrayList<>();
            settings().forEach((k, v) -> sets.add(k + "=" + v));
            sets.add("output.include-images=true");
            try (OutputTally tally = new OutputTally(broker.bootstrapServers());
                 ServiceProcess service = ServiceProcess.start(broker.bootstrapServers(), "it-heap",
                         Figures.DIR.resolve("heap.log"), xmxMib + "m", List.of("-Xlog:gc:file=" + GC_LOG), sets)) {
                service.awaitRunning(Duration.ofMinutes(2));
                int expected = IMAGES + bombs;
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (tally.embedded() + tally.deadLettered() < expected && System.nanoTime() < deadline) {
                    assertThat(service.isAlive()).as("service alive (no OutOfMemoryError); output:\n%s",
                            service.outputTail()).isTrue();
                    Thread.sleep(200);
                }
                Figures.record("bounded heap", "xmx_mib=" + xmxMib + " peak_heap_after_gc_mib=" + peakAfterGcMib()
                        + " peak_heap_before_gc_mib=" + peakBeforeGcMib() + " budget=" + budget.describe() + " inputs="
                        + expected + " embedded=" + tally.embedded() + " dead_lettered=" + tally.deadLetteredByCode()
                        + " duration_s=" + (System.nanoTime() - t0) / 1_000_000_000);
                assertThat(service.outputTail()).doesNotContain("OutOfMemoryError");
                assertThat(tally.embedded()).isEqualTo(IMAGES);
                assertThat(tally.deadLetteredByCode()).isEqualTo(Map.of("TOO_MANY_PIXELS", (long) bombs));
                assertThat(service.isAlive()).isTrue();
                service.stop();
            }
        }
    }
}
