package io.hardneg.broker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;

/**
 * Decides which transactions a restarted broker left without a single marker: decided (prepare-commit or
 * prepare-abort) at its coordinator, still open on every one of its partitions.
 *
 * <p>A broker restarted after a kill can load such a transaction from its own log while it still believes itself
 * leader, fail to reach its not yet open listener, and then drop the markers when fencing its dead incarnation
 * leaves the partitions leaderless for a moment (Kafka skips markers of leaderless partitions as if their topics
 * had been deleted). Nothing of such a transaction was ever visible to a read_committed reader, so aborting it on
 * all its partitions keeps exactly-once: its inputs are processed again, as after any abort. A transaction with a
 * marker on some partition is left alone: only the coordinator could finish it as decided.
 */
final class StrandedTransactions {

    private StrandedTransactions() {
    }

    /** One partition's open part of a stranded transaction; its start offset tells it from a later transaction. */
    record Stranded(AbortTransactionSpec abort, long startOffset) {
    }

    /** What to abort, and the decided transactions that already have a marker somewhere (left as they are). */
    record Verdict(List<Stranded> aborts, List<TransactionDescription> partlyMarked) {
    }

    /**
     * @param open      every partition's active producers ({@code describeProducers})
     * @param described the coordinator's view of the transactions whose producers hold a partition open
     */
    static Verdict judge(Map<TopicPartition, List<ProducerState>> open, Collection<TransactionDescription> described) {
        List<Stranded> aborts = new ArrayList<>();
        List<TransactionDescription> partly = new ArrayList<>();
        for (TransactionDescription t : described) {
            boolean decided = t.state() == TransactionState.PREPARE_COMMIT
                    || t.state() == TransactionState.PREPARE_ABORT;
            if (!decided || t.topicPartitions().isEmpty()) {
                continue;
            }
            List<Stranded> mine = new ArrayList<>();
            for (TopicPartition tp : t.topicPartitions()) {
                Optional<ProducerState> holder = open.getOrDefault(tp, List.of()).stream()
                        .filter(p -> p.producerId() == t.producerId() && p.currentTransactionStartOffset().isPresent())
                        .findFirst();
                if (holder.isEmpty()) {
                    break;
                }
                ProducerState p = holder.get();
                mine.add(new Stranded(new AbortTransactionSpec(tp, p.producerId(), (short) p.producerEpoch(),
                        p.coordinatorEpoch().orElse(-1)), p.currentTransactionStartOffset().getAsLong()));
            }
            if (mine.size() == t.topicPartitions().size()) {
                aborts.addAll(mine);
            } else {
                partly.add(t);
            }
        }
        return new Verdict(List.copyOf(aborts), List.copyOf(partly));
    }
}
