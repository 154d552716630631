package io.hardneg.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Aborts, right after the in-process broker starts, the transactions {@link StrandedTransactions} finds. */
final class StrandedTransactionRepair {

    private static final Logger LOG = LoggerFactory.getLogger(StrandedTransactionRepair.class);
    /** A coordinator still sending a decided transaction's markers to its own partitions is done well within this. */
    static final Duration SETTLE = Duration.ofSeconds(3);
    private static final long CALL_SECONDS = 15;

    private StrandedTransactionRepair() {
    }

    /** Returns how many partitions' transactions were aborted; a failed check is logged, never thrown. */
    static int run(String bootstrapServers, Map<String, Object> clientSettings) {
        Map<String, Object> props = new HashMap<>(clientSettings);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(props)) {
            StrandedTransactions.Verdict first = look(admin);
            if (first.aborts().isEmpty() && first.partlyMarked().isEmpty()) {
                return 0;
            }
            // Only what stays as it was, the same transaction (same start offsets) at both looks: one whose markers
            // are on their way, or a live producer's next transaction, is neither touched nor warned about.
            Thread.sleep(SETTLE.toMillis());
            StrandedTransactions.Verdict second = look(admin);
            List<TransactionDescription> partly = new ArrayList<>(second.partlyMarked());
            partly.retainAll(first.partlyMarked());
            warnPartlyMarked(partly);
            List<StrandedTransactions.Stranded> still = new ArrayList<>(second.aborts());
            still.retainAll(first.aborts());
            for (StrandedTransactions.Stranded stranded : still) {
                AbortTransactionSpec spec = stranded.abort();
                admin.abortTransaction(spec).all().get(CALL_SECONDS, TimeUnit.SECONDS);
                LOG.warn("aborted a transaction this broker's restart left without markers: producer {} (epoch {}) "
                                + "on {}; nothing of it was visible, and its inputs are processed again",
                        spec.producerId(), spec.producerEpoch(), spec.topicPartition());
            }
            return still.size();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("could not check the restarted broker for transactions left without markers: {}",
                    e.getCause() == null ? e.toString() : e.getCause().toString());
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static StrandedTransactions.Verdict look(Admin admin)
            throws ExecutionException, InterruptedException, TimeoutException {
        StrandedTransactions.Verdict none = new StrandedTransactions.Verdict(List.of(), List.of());
        Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names()
                .get(CALL_SECONDS, TimeUnit.SECONDS);
        if (topics.isEmpty()) {
            return none;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(CALL_SECONDS, TimeUnit.SECONDS)
                .values()) {
            d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition())));
        }
        Map<TopicPartition, List<ProducerState>> open = new HashMap<>();
        Set<Long> producers = new HashSet<>();
        admin.describeProducers(partitions).all().get(CALL_SECONDS, TimeUnit.SECONDS).forEach((tp, state) -> {
            List<ProducerState> holding = state.activeProducers().stream()
                    .filter(p -> p.currentTransactionStartOffset().isPresent()).toList();
            if (!holding.isEmpty()) {
                open.put(tp, holding);
                holding.forEach(p -> producers.add(p.producerId()));
            }
        });
        if (open.isEmpty()) {
            return none;
        }
        List<String> ids = admin.listTransactions().all().get(CALL_SECONDS, TimeUnit.SECONDS).stream()
                .filter(t -> producers.contains(t.producerId())).map(TransactionListing::transactionalId).toList();
        if (ids.isEmpty()) {
            return none;
        }
        Map<String, TransactionDescription> described = admin.describeTransactions(ids).all()
                .get(CALL_SECONDS, TimeUnit.SECONDS);
        return StrandedTransactions.judge(open, described.values());
    }

    private static void warnPartlyMarked(List<TransactionDescription> partlyMarked) {
        for (TransactionDescription t : partlyMarked) {
            LOG.warn("transaction of producer {} is {} with markers on some of its partitions only ({}); the broker's "
                    + "coordinator must finish it (kafka-transactions.sh find-hanging / abort, by hand, if it does "
                    + "not)", t.producerId(), t.state(), t.topicPartitions());
        }
    }
}
