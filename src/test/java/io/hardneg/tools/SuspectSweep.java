package io.hardneg.tools;

import io.hardneg.data.FashionMnist;
import io.hardneg.data.IdxReader;
import io.hardneg.data.LabelNoise;
import io.hardneg.data.LabeledImages;
import io.hardneg.eval.SplitEmbedder;
import io.hardneg.model.EmbeddingModel;
import io.hardneg.model.ModelOptions;
import io.hardneg.model.ModelSource;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Offline sweep of the suspect rule over several stream lengths and noise seeds, with a simulation of the service's
 * bank: per label {@code bank.per-label} hashed slots ({@code MemoryBank.slot}, as the bank topic's compaction
 * keys them), suspects kept out of the bank, anchors of a batch judged against the same bank, and the bank seeing
 * an image only {@code lag} images after it was streamed (the global store reads the bank topic's committed
 * records, one commit interval behind). Not a test; run by hand:
 *
 * <pre>
 * java -Xmx3g -cp target/hardneg.jar:target/test-classes io.hardneg.tools.SuspectSweep \
 *     --source validation --ns 3000,4000,5000 --seeds 1,2,3,4,5 [--lags 64,512] [--batch 16] [--rules tau:k:agree:minPos,...]
 * </pre>
 *
 * <p>{@code --source validation} is train[55000:60000], the split the shipped model was trained without and that
 * is held apart for choices like this one (docs/model.md); {@code --source test} is the bundled test split the
 * demo streams, for checking the simulation against the demo, not for choosing. Without {@code --rules} it
 * sweeps a grid, first with an approximate bank (every image enters it) and then exactly for the best
 * {@code --top} settings.
 */
public final class SuspectSweep {

    static final int CLASSES = 10;

    /** A rule: the detector's (tau, k, agreement) and the minimum number of positives (bank rows of the claimed label). */
    record Rule(float tau, int k, double agree, int minPos, int maxNearer) {
        Rule(float tau, int k, double agree, int minPos) {
            this(tau, k, agree, minPos, -1);
        }

        int need() {
            return Math.max(1, (int) Math.ceil(agree * k - 1e-9));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "tau=%.2f k=%2d agree=%.2f minPos=%3d maxNearer=%2d", tau, k, agree,
                    minPos, maxNearer);
        }
    }

    /** One stream: the first n images with the seed's noise. */
    record Stream(int n, long seed, int lag, int[] labels, boolean[] flipped, int flippedCount, String[] ids) {
    }

    record Score(int tp, int suspects, int flipped) {
        double p() {
            return suspects == 0 ? 0 : (double) tp / suspects;
        }

        double r() {
            return flipped == 0 ? 0 : (double) tp / flipped;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].substring(2), args[i + 1]);
        }
        String source = a.getOrDefault("source", "validation");
        int[] ns = Arrays.stream(a.getOrDefault("ns", "3000,4000,5000").split(",")).mapToInt(Integer::parseInt).toArray();
        long[] seeds = Arrays.stream(a.getOrDefault("seeds", "1,2,3,4,5").split(",")).mapToLong(Long::parseLong).toArray();
        int[] lags = Arrays.stream(a.getOrDefault("lags", "64").split(",")).mapToInt(Integer::parseInt).toArray();
        int batch = Integer.parseInt(a.getOrDefault("batch", "16"));
        int perLabel = Integer.parseInt(a.getOrDefault("per-label", "256"));
        double rate = Double.parseDouble(a.getOrDefault("rate", "0.02"));
        int top = Integer.parseInt(a.getOrDefault("top", "25"));

        LabeledImages all = load(source);
        int maxN = Arrays.stream(ns).max().orElseThrow();
        LabeledImages sample = all.head(maxN);
        float[] e = embeddings(source, sample);
        int n = sample.count();
        int dim = e.length / n;
        float[] dist = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                float s = 0;
                for (int t = 0; t < dim; t++) {
                    float x = e[i * dim + t] - e[j * dim + t];
                    s += x * x;
                }
                dist[i * n + j] = s;
                dist[j * n + i] = s;
            }
        }
        String prefix = source.equals("test") ? "fmnist-test-" : "fmnist-val-";
        List<Stream> streams = new ArrayList<>();
        for (int len : ns) {
            for (long seed : seeds) {
                LabelNoise noise = LabelNoise.flip(sample.head(len).labels(), CLASSES, rate, seed);
                boolean[] f = new boolean[len];
                noise.flipped().forEach(i -> f[i] = true);
                String[] ids = new String[len];
                for (int i = 0; i < len; i++) {
                    ids[i] = prefix + i;
                }
                for (int lag : lags) {
                    streams.add(new Stream(len, seed, lag, noise.labels(), f, noise.flipped().size(), ids));
                }
            }
        }
        System.out.printf(Locale.ROOT, "source=%s n=%s seeds=%s lags=%s batch=%d perLabel=%d rate=%.3f%n", source,
                Arrays.toString(ns), Arrays.toString(seeds), Arrays.toString(lags), batch, perLabel, rate);

        List<Rule> rules = new ArrayList<>();
        if (a.containsKey("rules")) {
            for (String r : a.get("rules").split(",")) {
                String[] p = r.split(":");
                rules.add(new Rule(Float.parseFloat(p[0]), Integer.parseInt(p[1]), Double.parseDouble(p[2]),
                        p.length > 3 ? Integer.parseInt(p[3]) : 1, p.length > 4 ? Integer.parseInt(p[4]) : -1));
            }
        } else {
            rules = approximateGrid(streams, dist, n, perLabel, top, a);
        }
        for (Rule r : rules) {
            Score[] s = new Score[streams.size()];
            for (int q = 0; q < streams.size(); q++) {
                s[q] = simulate(streams.get(q), dist, n, r, perLabel, batch);
            }
            report(r, streams, s, true);
        }
    }

    /** Min over streams of recall subject to precision; the summary line of a rule. */
    static void report(Rule r, List<Stream> streams, Score[] s, boolean detail) {
        double minP = 1;
        double minR = 1;
        int tp = 0;
        int sus = 0;
        int fl = 0;
        StringBuilder cells = new StringBuilder();
        for (int q = 0; q < s.length; q++) {
            minP = Math.min(minP, s[q].p());
            minR = Math.min(minR, s[q].r());
            tp += s[q].tp();
            sus += s[q].suspects();
            fl += s[q].flipped();
            cells.append(String.format(Locale.ROOT, " %d/%d/%d:%.2f/%.2f", streams.get(q).n(), streams.get(q).seed(),
                    streams.get(q).lag(), s[q].p(), s[q].r()));
        }
        System.out.printf(Locale.ROOT, "%s  minP=%.3f minR=%.3f pooledP=%.3f pooledR=%.3f%s%s%n", r, minP, minR,
                sus == 0 ? 0 : (double) tp / sus, (double) tp / fl, minP >= 0.8 && minR >= 0.5 ? "  <== goal" : "",
                detail ? "\n   " + cells : "");
    }

    /**
     * A quick grid: every image enters the bank (so the lists do not depend on the rule), each anchor's 20 nearest
     * positives and negatives kept; returns the {@code top} rules by min recall among those with min precision
     * ≥ {@code --pmin} (default 0.8), then by min precision.
     */
    static List<Rule> approximateGrid(List<Stream> streams, float[] dist, int n, int perLabel, int top,
                                      Map<String, String> a) {
        int maxK = 20;
        int[] ks = Arrays.stream(a.getOrDefault("ks", "3,4,5,6,7,8,10,12,15,20").split(",")).mapToInt(Integer::parseInt).toArray();
        double[] agrees = Arrays.stream(a.getOrDefault("agrees", "0.5,0.6,0.7,0.8,0.9,1.0").split(",")).mapToDouble(Double::parseDouble).toArray();
        int[] minPoss = Arrays.stream(a.getOrDefault("minpos", "1,5,10,20,40").split(",")).mapToInt(Integer::parseInt).toArray();
        int[] nearers = Arrays.stream(a.getOrDefault("nearer", "-1").split(",")).mapToInt(Integer::parseInt).toArray();
        List<Rule> grid = new ArrayList<>();
        for (int k : ks) {
            for (double ag : agrees) {
                for (int t = 0; t <= 30; t++) {
                    for (int mp : minPoss) {
                        for (int nr : nearers) {
                            grid.add(new Rule(t * 0.05f, k, ag, mp, nr));
                        }
                    }
                }
            }
        }
        int[][] tp = new int[grid.size()][streams.size()];
        int[][] sus = new int[grid.size()][streams.size()];
        for (int q = 0; q < streams.size(); q++) {
            Stream st = streams.get(q);
            int[][] slots = new int[CLASSES][perLabel];
            for (int[] s : slots) {
                Arrays.fill(s, -1);
            }
            float[] pd = new float[maxK];
            float[] nd = new float[maxK];
            int[] nl = new int[maxK];
            int[] votes = new int[CLASSES];
            for (int i = 0; i < st.n(); i++) {
                int y = st.labels()[i];
                int seen = i - st.lag();
                if (seen >= 0) {
                    slots[st.labels()[seen]][slot(st.ids()[seen], perLabel)] = seen;
                }
                int np = 0;
                int nn = 0;
                int posRows = 0;
                for (int c = 0; c < CLASSES; c++) {
                    for (int j : slots[c]) {
                        if (j < 0) {
                            continue;
                        }
                        float d = dist[i * n + j];
                        if (c == y) {
                            posRows++;
                            np = insert(pd, null, np, d, 0);
                        } else {
                            nn = insert(nd, nl, nn, d, c);
                        }
                    }
                }
                for (int g = 0; g < grid.size(); g++) {
                    Rule r = grid.get(g);
                    if (posRows < r.minPos() || np == 0 || nn < r.k()) {
                        continue;
                    }
                    if (verdict(r, pd, np, nd, nl, nn, votes)) {
                        sus[g][q]++;
                        if (st.flipped()[i]) {
                            tp[g][q]++;
                        }
                    }
                }
            }
        }
        record Ranked(Rule r, double minP, double minR) {
        }
        List<Ranked> ranked = new ArrayList<>();
        for (int g = 0; g < grid.size(); g++) {
            double minP = 1;
            double minR = 1;
            for (int q = 0; q < streams.size(); q++) {
                Score s = new Score(tp[g][q], sus[g][q], streams.get(q).flippedCount());
                minP = Math.min(minP, s.p());
                minR = Math.min(minR, s.r());
            }
            ranked.add(new Ranked(grid.get(g), minP, minR));
        }
        double pmin = Double.parseDouble(a.getOrDefault("pmin", "0.8"));
        ranked.sort((x, y) -> {
            boolean px = x.minP() >= pmin;
            boolean py = y.minP() >= pmin;
            if (px != py) {
                return px ? -1 : 1;
            }
            return px ? Double.compare(y.minR(), x.minR()) : Double.compare(y.minP(), x.minP());
        });
        System.out.println("approximate grid (every image in the bank), best first:");
        List<Rule> out = new ArrayList<>();
        for (int i = 0; i < Math.min(top, ranked.size()); i++) {
            Ranked x = ranked.get(i);
            System.out.printf(Locale.ROOT, "  %s  minP=%.3f minR=%.3f%n", x.r(), x.minP(), x.minR());
            out.add(x.r());
        }
        System.out.println("exact:");
        return out;
    }

    /** Inserts d (and label) into the sorted prefix of length size (capacity arr.length); returns the new size. */
    static int insert(float[] arr, int[] labels, int size, float d, int label) {
        int cap = arr.length;
        if (size == cap && d >= arr[cap - 1]) {
            return size;
        }
        int j = size < cap ? size++ : cap - 1;
        while (j > 0 && arr[j - 1] > d) {
            arr[j] = arr[j - 1];
            if (labels != null) {
                labels[j] = labels[j - 1];
            }
            j--;
        }
        arr[j] = d;
        if (labels != null) {
            labels[j] = label;
        }
        return size;
    }

    /** The detector's rule on sorted lists (pd: positives, nd/nl: negatives and their labels). */
    static boolean verdict(Rule r, float[] pd, int np, float[] nd, int[] nl, int nn, int[] votes) {
        int k = r.k();
        int m = Math.min(k, np);
        float mean = 0;
        for (int t = 0; t < m; t++) {
            mean += pd[t];
        }
        mean /= m;
        Arrays.fill(votes, 0);
        int best = 0;
        int need = r.need();
        float reach = Float.POSITIVE_INFINITY; // the distance at which a label first has the votes needed
        for (int t = 0; t < k && nd[t] - mean < -r.tau(); t++) {
            best = Math.max(best, ++votes[nl[t]]);
            if (best >= need && reach == Float.POSITIVE_INFINITY) {
                reach = nd[t];
            }
        }
        if (best < need) {
            return false;
        }
        if (r.maxNearer() < 0) {
            return true;
        }
        // Guard: at most maxNearer positives nearer than the vote that made the suspicion.
        int nearer = 0;
        for (int t = 0; t < np && pd[t] < reach; t++) {
            nearer++;
        }
        return nearer <= r.maxNearer();
    }

    /** The service, image by image: batches judged against the bank as of {@code lag} images before the batch. */
    static Score simulate(Stream st, float[] dist, int n, Rule r, int perLabel, int batch) {
        int lag = st.lag();
        int k = r.k();
        int[][] slots = new int[CLASSES][perLabel];
        for (int[] s : slots) {
            Arrays.fill(s, -1);
        }
        int[] posRows = new int[CLASSES];
        boolean[] suspect = new boolean[st.n()];
        float[] pd = new float[k];
        float[] nd = new float[k];
        int[] nl = new int[k];
        int[] votes = new int[CLASSES];
        int applied = 0; // images [0, applied) have reached the bank (if not suspect)
        int tp = 0;
        int sus = 0;
        for (int b = 0; b < st.n(); b += batch) {
            int visible = Math.max(0, b - lag);
            for (; applied < visible; applied++) {
                if (!suspect[applied]) {
                    int y = st.labels()[applied];
                    int s = slot(st.ids()[applied], perLabel);
                    if (slots[y][s] < 0) {
                        posRows[y]++;
                    }
                    slots[y][s] = applied;
                }
            }
            for (int i = b; i < Math.min(st.n(), b + batch); i++) {
                int y = st.labels()[i];
                if (posRows[y] < r.minPos()) {
                    continue;
                }
                int np = 0;
                int nn = 0;
                for (int c = 0; c < CLASSES; c++) {
                    for (int j : slots[c]) {
                        if (j >= 0) {
                            if (c == y) {
                                np = insert(pd, null, np, dist[i * n + j], 0);
                            } else {
                                nn = insert(nd, nl, nn, dist[i * n + j], c);
                            }
                        }
                    }
                }
                if (np == 0 || nn < k) {
                    continue;
                }
                if (verdict(r, pd, np, nd, nl, nn, votes)) {
                    suspect[i] = true;
                    sus++;
                    if (st.flipped()[i]) {
                        tp++;
                    }
                }
            }
        }
        return new Score(tp, sus, st.flippedCount());
    }

    /** As {@code MemoryBank.slot}. */
    static int slot(String id, int perLabel) {
        int h = id.hashCode() * 0x9E3779B9;
        return Math.floorMod(h ^ (h >>> 16), perLabel);
    }

    static LabeledImages load(String source) throws Exception {
        if (source.equals("test")) {
            return FashionMnist.bundled();
        }
        Path dir = FashionMnist.DEBIAN_DIR;
        LabeledImages train;
        try (InputStream img = Files.newInputStream(dir.resolve("train-images-idx3-ubyte.gz"));
             InputStream lab = Files.newInputStream(dir.resolve("train-labels-idx1-ubyte.gz"))) {
            train = IdxReader.read(img, lab, "train");
        }
        int from = 55_000;
        int to = 60_000;
        int size = train.imageSize();
        return new LabeledImages(to - from, train.height(), train.width(),
                Arrays.copyOfRange(train.pixels(), from * size, to * size), Arrays.copyOfRange(train.labels(), from, to));
    }

    /** The shipped model's embeddings of {@code sample}, cached in /tmp by source, size and model checksum. */
    static float[] embeddings(String source, LabeledImages sample) throws Exception {
        try (EmbeddingModel m = EmbeddingModel.load(ModelSource.defaultModel(), ModelOptions.defaults())) {
            Path cache = Path.of(System.getProperty("java.io.tmpdir"), "suspect-sweep-" + source + "-" + sample.count()
                    + "-" + m.info().version() + "-" + Integer.toHexString(Arrays.hashCode(sample.pixels())) + ".bin");
            int dim = m.info().embeddingDim();
            if (Files.isRegularFile(cache)) {
                try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(cache)))) {
                    float[] e = new float[sample.count() * dim];
                    for (int i = 0; i < e.length; i++) {
                        e[i] = in.readFloat();
                    }
                    return e;
                }
            }
            float[] e = new SplitEmbedder(m, 128).embed(sample, i -> { });
            try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(cache)))) {
                for (float v : e) {
                    out.writeFloat(v);
                }
            }
            return e;
        }
    }
}
