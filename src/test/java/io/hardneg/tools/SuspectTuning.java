package io.hardneg.tools;

import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabelNoise;
import io.hardneg.data.LabeledImages;
import io.hardneg.eval.SplitEmbedder;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Offline grid search of the suspect rule's (tau, k, agreement) on the shipped model with the demo's noise
 * (same seed): a streaming bank of the last K per label, every image added. Not a test; run by hand. Superseded
 * by {@link SuspectSweep}, which simulates the service's bank (hashed slots, suspects kept out, lag) and tunes on the
 * validation split.
 */
public final class SuspectTuning {

    public static void main(String[] args) throws Exception {
        double rate = args.length > 0 ? Double.parseDouble(args[0]) : 0.02;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
        int perLabel = 256;
        LabeledImages sample = FashionMnist.bundled();
        LabelNoise noise = LabelNoise.flip(sample.labels(), 10, rate, seed);
        float[] e;
        int dim;
        try (EmbeddingModel m = EmbeddingModel.load(ModelSource.defaultModel(), ModelOptions.defaults())) {
            dim = m.info().embeddingDim();
            e = new SplitEmbedder(m, 128).embed(sample, i -> { });
        }
        int n = sample.count();
        int[] y = noise.labels();
        List<ArrayDeque<Integer>> bank = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            bank.add(new ArrayDeque<>());
        }
        int maxK = 20;
        // Per anchor: sorted positive and negative distances (up to maxK) with negative labels.
        float[][] posD = new float[n][];
        float[][] negD = new float[n][];
        int[][] negL = new int[n][];
        for (int i = 0; i < n; i++) {
            List<float[]> pos = new ArrayList<>();
            List<float[]> neg = new ArrayList<>();
            for (int c = 0; c < 10; c++) {
                for (int j : bank.get(c)) {
                    float s = 0;
                    for (int k = 0; k < dim; k++) {
                        float x = e[i * dim + k] - e[j * dim + k];
                        s += x * x;
                    }
                    (c == y[i] ? pos : neg).add(new float[] {s, c});
                }
            }
            pos.sort((a, b) -> Float.compare(a[0], b[0]));
            neg.sort((a, b) -> Float.compare(a[0], b[0]));
            posD[i] = new float[Math.min(maxK, pos.size())];
            for (int k = 0; k < posD[i].length; k++) {
                posD[i][k] = pos.get(k)[0];
            }
            negD[i] = new float[Math.min(maxK, neg.size())];
            negL[i] = new int[negD[i].length];
            for (int k = 0; k < negD[i].length; k++) {
                negD[i][k] = neg.get(k)[0];
                negL[i][k] = (int) neg.get(k)[1];
            }
            ArrayDeque<Integer> q = bank.get(y[i]);
            q.addLast(i);
            if (q.size() > perLabel) {
                q.removeFirst();
            }
        }
        System.out.printf(Locale.ROOT, "flipped=%d%n", noise.flipped().size());
        for (int k : new int[] {5, 10, 15, 20}) {
            for (double agree : new double[] {0.6, 0.8, 1.0}) {
                for (double tau : new double[] {0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0}) {
                    int tp = 0;
                    int fp = 0;
                    int need = Math.max(1, (int) Math.ceil(agree * k - 1e-9));
                    for (int i = 0; i < n; i++) {
                        if (posD[i].length == 0 || negD[i].length < k) {
                            continue;
                        }
                        float mp = 0;
                        int np = Math.min(k, posD[i].length);
                        for (int t = 0; t < np; t++) {
                            mp += posD[i][t];
                        }
                        mp /= np;
                        int[] votes = new int[10];
                        int best = 0;
                        for (int t = 0; t < k; t++) {
                            if (negD[i][t] - mp < -tau) {
                                best = Math.max(best, ++votes[negL[i][t]]);
                            }
                        }
                        if (best >= need) {
                            if (noise.flipped().contains(i)) {
                                tp++;
                            } else {
                                fp++;
                            }
                        }
                    }
                    double p = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
                    double r = (double) tp / noise.flipped().size();
                    System.out.printf(Locale.ROOT, "k=%2d agree=%.1f tau=%.1f  suspects=%4d tp=%3d  P=%.3f R=%.3f%s%n",
                            k, agree, tau, tp + fp, tp, p, r, p >= 0.8 && r >= 0.5 ? "  <== goal" : "");
                }
            }
        }
    }
}
