package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.SolutionSet;
import io.github.flinkiteration.api.SolutionSetJoinFunction;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A solution set of 5,000,000 keys on RocksDB, in one TaskManager with 256 MiB of managed memory
 * (which RocksDB's caches live in): the iteration finishes, and its final solution set has every
 * key with the value a plain-Java run gives. Every 1000th key is looked up in round 0; a looked-up
 * key adds one to its value and, while its offset in its thousand is below 3, looks up the next key
 * in the following round.
 *
 * <p>It takes about a minute on a busy machine, so the default build skips it; run it with {@code
 * mvn -Plarge-tests -pl iteration-runtime -am test -Dtest=LargeSolutionSetTest}.
 */
@EnabledIfSystemProperty(named = "large-tests", matches = "true")
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LargeSolutionSetTest {

    private static final int KEYS = 5_000_000;
    private static final TypeInformation<Tuple2<Integer, Integer>> PAIR =
            Types.TUPLE(Types.INT, Types.INT);

    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(managedMemory())
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static Configuration managedMemory() {
        Configuration configuration = new Configuration();
        configuration.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("256m"));
        return configuration;
    }

    @Test
    void fiveMillionKeysOnRocksDbFinishWithEveryValue() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(2, "rocksdb");
        DataStream<Tuple2<Integer, Integer>> initial =
                env.fromSequence(0, KEYS - 1).map(k -> Tuple2.of(k.intValue(), 0)).returns(PAIR);
        DataStream<Tuple2<Integer, Integer>> lookups =
                env.fromSequence(0, KEYS / 1000 - 1)
                        .map(i -> Tuple2.of(i.intValue() * 1000, 0))
                        .returns(PAIR);
        ResultStreams results =
                new BoundedIteration()
                        .bindSolutionSet("values", initial, v -> v.f0)
                        .bindVariable("lookups", lookups)
                        .withBody(
                                (inputs, context) -> {
                                    SolutionSet<Integer, Tuple2<Integer, Integer>> values =
                                            context.solutionSet("values");
                                    DataStream<Tuple2<Integer, Integer>> next =
                                            values.join(
                                                    inputs.get("lookups"),
                                                    l -> l.f0,
                                                    new AddOneAndGoOn(),
                                                    PAIR);
                                    return IterationDeclaration.builder()
                                            .withFeedback("lookups", next)
                                            .withOutput("values", values.finalValues())
                                            .build();
                                })
                        .apply();
        // (number of keys, sum of values, sum of keys)
        DataStream<Tuple2<Long, Long>> totals =
                results.<Tuple2<Integer, Integer>>get("values")
                        .map(v -> Tuple2.of(1L, (long) v.f1 * KEYS + v.f0))
                        .returns(Types.TUPLE(Types.LONG, Types.LONG))
                        .windowAll(GlobalWindows.createWithEndOfStreamTrigger())
                        .reduce((a, b) -> Tuple2.of(a.f0 + b.f0, a.f1 + b.f1));
        List<Tuple2<Long, Long>> result = TestCluster.collect(totals);

        long keySum = (long) KEYS * (KEYS - 1) / 2;
        long valueSum = 0;
        for (int k = 0; k < KEYS; k++) {
            int offset = k % 1000;
            valueSum += offset <= 3 ? 1 : 0; // keys 1000i .. 1000i + 3 are looked up once
        }
        assertThat(result).containsExactly(Tuple2.of((long) KEYS, valueSum * KEYS + keySum));
    }

    private static final class AddOneAndGoOn
            implements SolutionSetJoinFunction<
                    Tuple2<Integer, Integer>, Tuple2<Integer, Integer>, Tuple2<Integer, Integer>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void join(
                Tuple2<Integer, Integer> lookup,
                Tuple2<Integer, Integer> value,
                Context<Tuple2<Integer, Integer>> context,
                Collector<Tuple2<Integer, Integer>> out) {
            context.update(Tuple2.of(value.f0, value.f1 + 1));
            if (value.f0 % 1000 < 3) {
                out.collect(Tuple2.of(value.f0 + 1, 0));
            }
        }
    }
}
