package io.hardneg.mining;

/** A mined triplet: an anchor, a positive of its label and a negative of another, with their distances. */
public record Triplet(Member anchor, Member positive, Member negative, float dAp, float dAn, float alpha,
                      String modelVersion) {

    /** One image of a triplet. */
    public record Member(String id, String label, byte[] image, long timestamp) {
    }

    public float gap() {
        return dAn - dAp;
    }

    public TripletKind kind() {
        return TripletKind.of(gap(), alpha);
    }
}
