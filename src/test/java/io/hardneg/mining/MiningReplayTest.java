package io.hardneg.mining;

import static io.hardneg.mining.MiningFixtures.near;
import static org.assertj.core.api.Assertions.assertThat;

import io.hardneg.config.MiningPolicy;
import io.hardneg.config.PositiveRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A task that replays after a crash under exactly-once must choose what it chose before: the same anchor against
 * the same bank gives the same triplets whatever the miner instance, the batch it arrives in, its place in the
 * batch, the threads, the kernel and the order the bank was restored in.
 */
class MiningReplayTest {

    private static final int DIM = 16;

    @Test
    void shouldMakeTheSameDrawsForAnAnchorWhateverTheBatchTheThreadsAndTheRestoredBank() {
        // Given a bank, and the same bank restored from its topic in another order (so every row differs)
        Random rnd = new Random(77);
        float[][] centres = new float[8][];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = DistancesTest.unitRows(rnd, 1, DIM);
        }
        List<EmbeddedImage> entries = new ArrayList<>();
        for (int i = 0; i < 1600; i++) {
            int label = i % centres.length;
            entries.add(new EmbeddedImage("b" + i, "L" + label, "v1", near(rnd, centres[label], 1.2f), null, i));
        }
        MemoryBank bank = bankOf(entries);
        List<EmbeddedImage> restoredOrder = new ArrayList<>(entries);
        Collections.shuffle(restoredOrder, new Random(3));
        MemoryBank restored = bankOf(restoredOrder);
        // and 700 anchors (700 × 1,600 pairs: past the threshold for sharing a batch among threads)
        List<EmbeddedImage> anchors = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            int label = rnd.nextInt(centres.length);
            anchors.add(new EmbeddedImage("a" + i, "L" + label, "v1", near(rnd, centres[label], 1.2f), null, i));
        }
        assertThat((long) anchors.size() * bank.size()).isGreaterThanOrEqualTo(TripletMiner.PARALLEL_MIN_PAIRS);

        for (NegativeSampling negative : List.of(new NegativeSampling.Soft(5),
                new NegativeSampling.DistanceWeighted(0.5, 1.4), new NegativeSampling.Hardest())) {
            MiningRules rules = new MiningRules(0.3f, MiningPolicy.ALL, 2, 3, PositiveRule.RANDOM, negative, 0.5f);
            LabelBudget.Rules share = new LabelBudget.Rules(0.5, 10, 64);
            // When one miner mines the batch in order on one thread with the scalar kernel
            LabelBudget firstBudget = new LabelBudget(share, Distances.scalar());
            Map<String, List<String>> first = byAnchor(anchors,
                    new TripletMiner(rules, Distances.scalar(), 1, firstBudget).mine(bank, anchors));
            // and another mines them shuffled, in one batch, on three threads with the best kernel
            List<EmbeddedImage> shuffled = new ArrayList<>(anchors);
            Collections.shuffle(shuffled, new Random(9));
            Map<String, List<String>> parallel = byAnchor(shuffled, new TripletMiner(rules, Distances.create(), 3,
                    new LabelBudget(share, Distances.create())).mine(bank, shuffled));
            // and a third, after a "crash", against the restored bank, in small batches mixed with other anchors
            LabelBudget replayBudget = new LabelBudget(share, Distances.create());
            TripletMiner replay = new TripletMiner(rules, Distances.create(), 2, replayBudget);
            Map<String, List<String>> replayed = new HashMap<>();
            for (int from = 0; from < shuffled.size(); from += 37) {
                List<EmbeddedImage> batch = new ArrayList<>(shuffled.subList(from,
                        Math.min(shuffled.size(), from + 37)));
                batch.add(from % 2 == 0 ? 0 : batch.size(), new EmbeddedImage("other" + from, "L1", "v1",
                        near(rnd, centres[1], 1.2f), null, 0));
                replayed.putAll(byAnchor(batch, replay.mine(restored, batch)));
            }

            // Then every anchor gets the same triplets (by id), and the budget is the same to the last bit
            assertThat(first.values().stream().filter(t -> !t.isEmpty()).count()).as("anchors with triplets, %s",
                    negative).isGreaterThan(100);
            assertThat(first.values().stream().filter(List::isEmpty).count()).as("anchors the budget passed over")
                    .isGreaterThan(100);
            for (EmbeddedImage a : anchors) {
                assertThat(parallel.get(a.id())).as("%s, %s on three threads", a.id(), negative)
                        .isEqualTo(first.get(a.id()));
                assertThat(replayed.get(a.id())).as("%s, %s replayed", a.id(), negative)
                        .isEqualTo(first.get(a.id()));
            }
            assertThat(replayBudget.current()).isEqualTo(firstBudget.current());
        }
    }

    private static MemoryBank bankOf(List<EmbeddedImage> entries) {
        MemoryBank bank = new MemoryBank(DIM, 400, 4000);
        for (EmbeddedImage e : entries) {
            bank.put(e.label() + "/" + e.id(), e);
        }
        return bank;
    }

    /** Each anchor's triplets by ids and distance bits: rows differ between a bank and its restored copy. */
    private static Map<String, List<String>> byAnchor(List<EmbeddedImage> anchors, List<List<Triplet>> mined) {
        Map<String, List<String>> out = new HashMap<>();
        for (int i = 0; i < anchors.size(); i++) {
            List<String> found = new ArrayList<>();
            out.put(anchors.get(i).id(), found);
            for (Triplet t : mined.get(i)) {
                found.add(t.positive().id() + ","
                        + t.negative().id() + "," + Float.floatToRawIntBits(t.dAp()) + ","
                        + Float.floatToRawIntBits(t.dAn()) + "," + t.kind());
            }
        }
        return out;
    }
}
