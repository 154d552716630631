package io.hardneg.mining;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Shared by the mining tests: clustered unit vectors, and a mined batch as comparable strings. */
final class MiningFixtures {

    private MiningFixtures() {
    }

    /** A unit vector near {@code centre}: Gaussian noise of total scale {@code noise}, normalised. */
    static float[] near(Random rnd, float[] centre, float noise) {
        float[] v = centre.clone();
        double n = 0;
        for (int k = 0; k < v.length; k++) {
            v[k] += (float) (rnd.nextGaussian() * noise / Math.sqrt(v.length));
            n += v[k] * v[k];
        }
        for (int k = 0; k < v.length; k++) {
            v[k] /= (float) Math.sqrt(n);
        }
        return v;
    }

    /** Everything a decision consists of, with distances as raw bits. */
    static List<String> describe(List<List<Triplet>> mined) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < mined.size(); i++) {
            for (Triplet t : mined.get(i)) {
                out.add(i + ":" + t.anchor().id() + "," + t.positive().id() + "," + t.negative().id() + ","
                        + Float.floatToRawIntBits(t.dAp()) + "," + Float.floatToRawIntBits(t.dAn()) + "," + t.kind());
            }
            out.add(i + ":end");
        }
        return out;
    }
}
