package io.hardneg.cli;

import io.hardneg.data.LabelNoise;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.producer.ImageSource;
import io.hardneg.producer.LabeledImage;
import io.hardneg.service.OutputTally;
import io.hardneg.stream.PipelineObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's stream: the sample, optionally with seeded label noise (the flipped ids kept for scoring) and each
 * image repeated (copy 0 the original, copy 1 exact, later copies shifted by a pixel with pixel noise when
 * augmented), in a seeded shuffled order.
 */
record DemoInput(List<LabeledImage> images, Set<String> flipped) {

    static final String ID_PREFIX = "fmnist-test-";

    static DemoInput of(LabeledImages sample, double labelNoise, long seed, int repeat, boolean augment) {
        LabelNoise noise = LabelNoise.flip(sample.labels(), 10, labelNoise, seed);
        Set<String> flipped = new HashSet<>();
        noise.flipped().forEach(i -> flipped.add(ID_PREFIX + i));
        List<LabeledImage> out = new ArrayList<>(sample.count() * repeat);
        Random rng = new Random(seed + 1);
        for (int i = 0; i < sample.count(); i++) {
            String label = Integer.toString(noise.labels()[i]);
            byte[] png = PngEncoder.gray(sample.image(i), sample.height(), sample.width());
            out.add(new LabeledImage(ID_PREFIX + i, label, png));
            for (int r = 1; r < repeat; r++) {
                byte[] copy = r >= 2 && augment
                        ? PngEncoder.gray(augmented(sample.image(i), sample.height(), sample.width(), rng),
                                sample.height(), sample.width())
                        : png;
                out.add(new LabeledImage(ID_PREFIX + i + "#" + r, label, copy));
            }
        }
        if (repeat > 1) {
            Collections.shuffle(out, new Random(seed + 2));
        }
        return new DemoInput(List.copyOf(out), Set.copyOf(flipped));
    }

    /** A shift by one pixel in a random direction, and up to ±8 grey levels of noise on every pixel. */
    static byte[] augmented(byte[] image, int h, int w, Random rng) {
        int dx = rng.nextInt(3) - 1;
        int dy = dx == 0 ? (rng.nextBoolean() ? 1 : -1) : rng.nextInt(3) - 1;
        byte[] out = new byte[image.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int sx = x - dx;
                int sy = y - dy;
                int v = sx >= 0 && sx < w && sy >= 0 && sy < h ? image[sy * w + sx] & 0xff : 0;
                v += rng.nextInt(17) - 8;
                out[y * w + x] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return out;
    }

    List<String> flippedIds() {
        return flipped.stream().sorted().toList();
    }

    ImageSource source() {
        return new ImageSource() {
            @Override
            public int size() {
                return images.size();
            }

            @Override
            public Iterator<LabeledImage> iterator() {
                return images.iterator();
            }
        };
    }

    /** Mislabel detection scored against the flipped ids. */
    record Mislabels(double precision, double recall, int leaked) {
    }

    Mislabels score(Set<String> suspects, Set<String> tripletMembers) {
        long hit = suspects.stream().filter(flipped::contains).count();
        int leaked = (int) flipped.stream().filter(tripletMembers::contains).count();
        return new Mislabels(suspects.isEmpty() ? 0 : (double) hit / suspects.size(),
                flipped.isEmpty() ? 0 : (double) hit / flipped.size(), leaked);
    }

    /** One run's duplicate figures: counts what the service skipped, and what reached hard-negatives. */
    static final class Dedup implements PipelineObserver {
        private final AtomicLong duplicates = new AtomicLong();
        private final AtomicLong nearDuplicates = new AtomicLong();
        private long triplets;
        private long distinctNegatives;
        private double seconds;

        @Override
        public void duplicateSkipped() {
            duplicates.incrementAndGet();
        }

        @Override
        public void nearDuplicateSkipped() {
            nearDuplicates.incrementAndGet();
        }

        void record(double seconds, OutputTally t) {
            this.seconds = seconds;
            this.triplets = t.hard() + t.semihard();
            Set<String> sources = new HashSet<>();
            // A negative and its copies (id#r) are one source image: that is what diversity is about.
            t.negatives().keySet().forEach(id -> sources.add(id.contains("#") ? id.substring(0, id.indexOf('#')) : id));
            this.distinctNegatives = sources.size();
        }

        long triplets() {
            return triplets;
        }

        long duplicates() {
            return duplicates.get();
        }

        long nearDuplicates() {
            return nearDuplicates.get();
        }

        double tripletsPerSecond() {
            return triplets / Math.max(1e-9, seconds);
        }

        /** Distinct source images among the published negatives, per published triplet. */
        double distinctNegativeShare() {
            return triplets == 0 ? 0 : (double) distinctNegatives / triplets;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("triplets", triplets);
            m.put("seconds", Math.round(seconds * 10) / 10.0);
            m.put("triplets_per_s", Math.round(tripletsPerSecond() * 10) / 10.0);
            m.put("distinct_negatives", distinctNegatives);
            m.put("distinct_negative_share", Math.round(distinctNegativeShare() * 1000) / 1000.0);
            m.put("exact_duplicates_skipped", duplicates());
            m.put("near_duplicates_skipped", nearDuplicates());
            return m;
        }
    }
}
