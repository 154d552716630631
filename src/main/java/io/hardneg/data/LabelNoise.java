package io.hardneg.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Seeded label noise for measuring mislabel detection: exactly {@code round(rate·n)} images, chosen at random,
 * get a label drawn uniformly from the other classes.
 *
 * @param labels the labels after flipping
 * @param flipped the indices whose label was changed
 */
public record LabelNoise(int[] labels, SortedSet<Integer> flipped) {

    public static LabelNoise flip(int[] original, int classes, double rate, long seed) {
        if (!(rate >= 0 && rate <= 1) || classes < 2) {
            throw new IllegalArgumentException("label noise needs a rate in [0, 1] and >= 2 classes; found rate="
                    + rate + ", classes=" + classes);
        }
        Random rng = new Random(seed);
        int[] labels = original.clone();
        List<Integer> order = new ArrayList<>(labels.length);
        for (int i = 0; i < labels.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, rng);
        int n = (int) Math.round(rate * labels.length);
        SortedSet<Integer> flipped = new TreeSet<>();
        for (int j = 0; j < n; j++) {
            int i = order.get(j);
            labels[i] = (original[i] + 1 + rng.nextInt(classes - 1)) % classes;
            flipped.add(i);
        }
        return new LabelNoise(labels, Collections.unmodifiableSortedSet(flipped));
    }
}
