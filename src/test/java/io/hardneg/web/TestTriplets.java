package io.hardneg.web;

import io.hardneg.data.FashionMnist;
import io.hardneg.data.LabeledImages;
import io.hardneg.data.PngEncoder;
import io.hardneg.mining.Triplet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Triplets of real 28×28 PNGs: Fashion-MNIST when available here, else synthetic stripes. */
final class TestTriplets {

    private TestTriplets() {
    }

    /** {@code n} triplets whose anchor/positive share a label and whose negative has another one. */
    static List<Triplet> fashion(int n) {
        LabeledImages data;
        try {
            data = FashionMnist.testSplit(null).head(400);
        } catch (IOException | RuntimeException e) {
            data = null;
        }
        List<Triplet> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int la = i % 10;
            int ln = (la + 2 + i / 10) % 10 == la ? (la + 1) % 10 : (la + 2 + i / 10) % 10;
            float dAp = 0.4f + 0.01f * i;
            float dAn = i % 3 == 0 ? dAp + 0.1f : dAp - 0.15f;
            out.add(new Triplet(
                    member("a" + i, la, 0, data), member("p" + i, la, 1, data), member("n" + i, ln, 2, data),
                    dAp, dAn, 0.2f, "3"));
        }
        return out;
    }

    private static Triplet.Member member(String id, int label, int which, LabeledImages data) {
        return new Triplet.Member(id, Integer.toString(label), png(label, which, data), 1_700_000_000_000L);
    }

    static byte[] png(int label, int which, LabeledImages data) {
        if (data != null) {
            int seen = 0;
            for (int i = 0; i < data.count(); i++) {
                if (data.labels()[i] == label && seen++ == which) {
                    return PngEncoder.gray(data.image(i), data.height(), data.width());
                }
            }
        }
        byte[] px = new byte[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                px[y * 28 + x] = (byte) (((x + y * (label + 1) + which * 5) / 4) % 2 == 0 ? 230 : 30);
            }
        }
        return PngEncoder.gray(px, 28, 28);
    }
}
