package io.hardneg.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class StrandedTransactionsTest {

    private static final TopicPartition OUT = new TopicPartition("embeddings", 1);
    private static final TopicPartition OFFSETS = new TopicPartition("__consumer_offsets", 2);
    private static final long PID = 1001;

    private static ProducerState holding(long pid) {
        return new ProducerState(pid, 15, 7, 0L, OptionalInt.of(2), OptionalLong.of(40L));
    }

    private static ProducerState idle(long pid) {
        return new ProducerState(pid, 15, 7, 0L, OptionalInt.of(2), OptionalLong.empty());
    }

    private static TransactionDescription txn(TransactionState state, Set<TopicPartition> partitions) {
        return new TransactionDescription(1, state, PID, 15, 10_000, OptionalLong.of(0L), partitions);
    }

    @Test
    void shouldAbortADecidedTransactionStillOpenOnEveryOneOfItsPartitions() {
        // The restart dropped every marker of a prepare-commit: nothing of it is visible anywhere
        StrandedTransactions.Verdict v = StrandedTransactions.judge(
                Map.of(OUT, List.of(holding(PID)), OFFSETS, List.of(holding(PID))),
                List.of(txn(TransactionState.PREPARE_COMMIT, Set.of(OUT, OFFSETS))));

        assertThat(v.aborts()).containsExactlyInAnyOrder(
                new StrandedTransactions.Stranded(new AbortTransactionSpec(OUT, PID, (short) 15, 2), 40L),
                new StrandedTransactions.Stranded(new AbortTransactionSpec(OFFSETS, PID, (short) 15, 2), 40L));
        assertThat(v.partlyMarked()).isEmpty();
    }

    @Test
    void shouldLeaveATransactionWithAMarkerOnSomePartition() {
        // The offsets got their COMMIT marker: aborting the output would lose it, so only the coordinator may finish
        StrandedTransactions.Verdict v = StrandedTransactions.judge(
                Map.of(OUT, List.of(holding(PID)), OFFSETS, List.of(idle(PID))),
                List.of(txn(TransactionState.PREPARE_COMMIT, Set.of(OUT, OFFSETS))));

        assertThat(v.aborts()).isEmpty();
        assertThat(v.partlyMarked()).hasSize(1);
    }

    @Test
    void shouldLeaveOngoingTransactionsToTheCoordinatorsTimeout() {
        StrandedTransactions.Verdict v = StrandedTransactions.judge(
                Map.of(OUT, List.of(holding(PID)), OFFSETS, List.of(holding(PID))),
                List.of(txn(TransactionState.ONGOING, Set.of(OUT, OFFSETS)),
                        txn(TransactionState.COMPLETE_COMMIT, Set.of())));

        assertThat(v.aborts()).isEmpty();
        assertThat(v.partlyMarked()).isEmpty();
    }

    @Test
    void shouldNotTakeAnotherProducersOpenTransactionForThisOne() {
        StrandedTransactions.Verdict v = StrandedTransactions.judge(
                Map.of(OUT, List.of(holding(PID + 1)), OFFSETS, List.of(holding(PID))),
                List.of(txn(TransactionState.PREPARE_ABORT, Set.of(OUT, OFFSETS))));

        assertThat(v.aborts()).isEmpty();
        assertThat(v.partlyMarked()).hasSize(1);
    }
}
