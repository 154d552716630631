package io.hardneg.mining;

/** What the mining guards report as they hold things back; implementations must be cheap and never throw. */
public interface GuardEvents {

    /** A labeled image's content was seen under another id within the window: embedded, not mined. */
    default void duplicateSkipped() { }

    /** A triplet was skipped: its negative is within ε of one recently published for the anchor's label. */
    default void nearDuplicateSkipped() { }

    /** A triplet was held back by a quota; {@code reason}: {@code window_cap}, {@code backpressure} or {@code rate}. */
    default void throttled(String reason) { }
}
