package io.hardneg.mining;

import java.util.Locale;

/** How hard a triplet is, by its gap = d(a,n) − d(a,p) against the margin α. */
public enum TripletKind {
    /** gap &lt; 0: the negative is closer than the positive. */
    HARD,
    /** 0 ≤ gap &lt; α: correctly ordered but inside the margin. */
    SEMIHARD,
    /** gap ≥ α: zero loss, nothing to learn; never published. */
    EASY;

    public static TripletKind of(float gap, float alpha) {
        if (gap < 0f) {
            return HARD;
        }
        return gap < alpha ? SEMIHARD : EASY;
    }

    /** The wire name: {@code hard}, {@code semihard}, {@code easy}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
