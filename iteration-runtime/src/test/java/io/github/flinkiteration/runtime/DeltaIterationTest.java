package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationRuntimeContext;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.SolutionSet;
import io.github.flinkiteration.api.SolutionSetJoinFunction;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Delta iterations at parallelism 4 on both state backends: when updates to the solution set become
 * visible, the end after a round with an empty workset, keys without a value, failover, and the bad
 * inputs rejected when the graph is built.
 *
 * <p>The counting loop used here: the solution set holds a counter per key; every lookup adds one
 * and, while the counter stays below the key's limit, sends the key back into the workset. The
 * final counters equal the number of lookups only if each lookup sees the updates of the lookups
 * before it, in the same round as in earlier ones; a plain-Java run of the same rounds gives the
 * expected counters and rounds.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeltaIterationTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final int KEYS = 200;
    private static final int LOOKUPS_PER_KEY = 3;
    private static final TypeInformation<Tuple2<Integer, Integer>> PAIR =
            Types.TUPLE(Types.INT, Types.INT);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void updatesAreVisibleToLaterLookupsAndAnEmptyWorksetEndsTheIteration(String backend)
            throws Exception {
        Map<String, List<Tuple2<Integer, Integer>>> out =
                runCountingLoop(TestCluster.env(4, backend), null);

        Reference expected = reference();
        assertThat(out.get("counters")).containsExactlyInAnyOrderElementsOf(expected.counters);
        // The workset ran dry after the last round with lookups, well before maxRounds.
        assertThat(maxRound(out.get("rounds"))).isEqualTo(expected.lastRound);
        assertThat(expected.lastRound).isLessThan(50);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aDeltaIterationInBatchModeGivesTheStreamingResult(String backend) throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4, backend);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        Map<String, List<Tuple2<Integer, Integer>>> out = runCountingLoop(env, null);

        Reference expected = reference();
        assertThat(out.get("counters")).containsExactlyInAnyOrderElementsOf(expected.counters);
        assertThat(maxRound(out.get("rounds"))).isEqualTo(expected.lastRound);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void aFailureInsideTheDeltaIterationRecoversExactly(String backend) throws Exception {
        String failure = InjectedFailure.newRun();
        Map<String, List<Tuple2<Integer, Integer>>> out =
                runCountingLoop(FailoverTest.checkpointedEnv(4, backend), failure);

        assertThat(InjectedFailure.run(failure).failed()).as("the failure happened").isTrue();
        assertThat(InjectedFailure.run(failure).restoredFromCheckpoint)
                .as("the job restored from a checkpoint")
                .isTrue();
        Reference expected = reference();
        assertThat(out.get("counters")).containsExactlyInAnyOrderElementsOf(expected.counters);
        assertThat(maxRound(out.get("rounds"))).isEqualTo(expected.lastRound);
    }

    @Test
    void aLookupOfAKeyWithoutValueGetsNullAndAnUpdateInsertsIt() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        // Keys 0..9 exist; the workset asks for 0..19 in round 0 and for 100..109 in round 1.
        List<Tuple2<Integer, Integer>> initial = new ArrayList<>();
        List<Tuple2<Integer, Integer>> workset = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            if (k < 10) {
                initial.add(Tuple2.of(k, 1));
            }
            workset.add(Tuple2.of(k, 0));
        }
        ResultStreams results =
                new BoundedIteration()
                        .bindSolutionSet("values", env.fromData(initial), v -> v.f0)
                        .bindVariable("workset", env.fromData(workset))
                        .withBody(
                                (inputs, context) -> {
                                    SolutionSet<Integer, Tuple2<Integer, Integer>> values =
                                            context.solutionSet("values");
                                    DataStream<Tuple2<Integer, Integer>> next =
                                            values.join(
                                                    inputs.get("workset"),
                                                    w -> w.f0,
                                                    new InsertIfAbsent(),
                                                    PAIR);
                                    return IterationDeclaration.builder()
                                            .withFeedback("workset", next)
                                            .withOutput("values", values.finalValues())
                                            .build();
                                })
                        .apply();
        List<Tuple2<Integer, Integer>> values = TestCluster.collect(results.get("values"));

        List<Tuple2<Integer, Integer>> expected = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
            // Existing keys keep 1; absent ones are inserted with -1 (round 0, after the load).
            expected.add(Tuple2.of(k, k < 10 ? 1 : -1));
            if (k < 10) {
                expected.add(Tuple2.of(100 + k, -2)); // asked for in round 1: inserted then
            }
        }
        assertThat(values).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void anUpdateWithAnotherKeyFailsNamingTheSolutionSet() {
        StreamExecutionEnvironment env = TestCluster.env(2);
        ResultStreams results =
                new BoundedIteration()
                        .bindSolutionSet("values", env.fromData(Tuple2.of(1, 1)), v -> v.f0)
                        .bindVariable("workset", env.fromData(Tuple2.of(1, 0)))
                        .withBody(
                                (inputs, context) -> {
                                    SolutionSet<Integer, Tuple2<Integer, Integer>> values =
                                            context.solutionSet("values");
                                    DataStream<Tuple2<Integer, Integer>> next =
                                            values.join(
                                                    inputs.<Tuple2<Integer, Integer>>get("workset"),
                                                    w -> w.f0,
                                                    (w, current, ctx, out) ->
                                                            ctx.update(Tuple2.of(w.f0 + 1, 0)),
                                                    PAIR);
                                    return IterationDeclaration.builder()
                                            .withFeedback("workset", next)
                                            .withOutput("values", values.finalValues())
                                            .build();
                                })
                        .apply();
        results.names();
        assertThatThrownBy(env::execute)
                .rootCause()
                .hasMessageContaining("solution set 'values' updated key 1 with a value of key 2");
    }

    @Test
    void aKeyFlinkCannotKeyByIsRejectedAtBuildTime() {
        StreamExecutionEnvironment env = TestCluster.env(2);
        assertThatThrownBy(
                        () ->
                                new BoundedIteration()
                                        .bindSolutionSet(
                                                "vectors",
                                                env.fromData(new int[] {1, 2}),
                                                (int[] v) -> v)
                                        .bindVariable("workset", env.fromData(1))
                                        .withBody(
                                                (inputs, context) -> {
                                                    context.solutionSet("vectors");
                                                    return IterationDeclaration.builder()
                                                            .withFeedback(
                                                                    "workset",
                                                                    inputs.get("workset"))
                                                            .build();
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Solution set 'vectors' is keyed by")
                .hasMessageContaining("a type Flink cannot key by");
    }

    @Test
    void anUnknownSolutionSetIsRejectedAtBuildTime() {
        StreamExecutionEnvironment env = TestCluster.env(2);
        assertThatThrownBy(
                        () ->
                                new BoundedIteration()
                                        .bindSolutionSet(
                                                "labels", env.fromData(Tuple2.of(1, 1)), v -> v.f0)
                                        .bindVariable("workset", env.fromData(1))
                                        .withBody(
                                                (inputs, context) -> {
                                                    context.solutionSet("lables");
                                                    return null;
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("solution set 'lables'")
                .hasMessageContaining("binds only [labels]");
    }

    @Test
    void aSolutionSetInAnUnboundedIterationIsRejectedAtBuildTime() {
        StreamExecutionEnvironment env = TestCluster.env(2);
        assertThatThrownBy(
                        () ->
                                new UnboundedIteration()
                                        .bindVariable("workset", env.fromData(1))
                                        .withBody(
                                                (inputs, context) -> {
                                                    context.solutionSet("labels");
                                                    return null;
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("solution set 'labels'")
                .hasMessageContaining("an UnboundedIteration has no solution sets");
    }

    @Test
    void aJoinInsideForEachRoundIsRejectedAtBuildTime() {
        StreamExecutionEnvironment env = TestCluster.env(2);
        TypeInformation<Tuple2<Integer, Integer>> pairs = Types.TUPLE(Types.INT, Types.INT);
        assertThatThrownBy(
                        () ->
                                new BoundedIteration()
                                        .bindSolutionSet(
                                                "counters",
                                                env.fromData(Tuple2.of(1, 0)),
                                                v -> v.f0)
                                        .bindVariable("workset", env.fromData(Tuple2.of(1, 0)))
                                        .withBody(
                                                (inputs, context) -> {
                                                    SolutionSet<Integer, Tuple2<Integer, Integer>>
                                                            counters =
                                                                    context.solutionSet("counters");
                                                    DataStream<Tuple2<Integer, Integer>> workset =
                                                            inputs.get("workset");
                                                    ResultStreams perRound =
                                                            context.forEachRound(
                                                                    () ->
                                                                            Map.of(
                                                                                    "next",
                                                                                    counters.join(
                                                                                            workset,
                                                                                            w ->
                                                                                                    w.f0,
                                                                                            new CountLookups(),
                                                                                            pairs)));
                                                    return IterationDeclaration.builder()
                                                            .withFeedback(
                                                                    "workset", perRound.get("next"))
                                                            .build();
                                                })
                                        .apply())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'solution set counters'")
                .hasMessageContaining("inside forEachRound")
                .hasMessageContaining("Call SolutionSet#join outside forEachRound");
    }

    // ---- the counting loop ----

    private static int limit(int key) {
        return 2 + key % 20;
    }

    private static Map<String, List<Tuple2<Integer, Integer>>> runCountingLoop(
            StreamExecutionEnvironment env, String failure) throws Exception {
        List<Tuple2<Integer, Integer>> counters = new ArrayList<>();
        List<Tuple2<Integer, Integer>> lookups = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            counters.add(Tuple2.of(k, 0));
            for (int i = 0; i < LOOKUPS_PER_KEY; i++) {
                lookups.add(Tuple2.of(k, i));
            }
        }
        ResultStreams results =
                new BoundedIteration()
                        .bindSolutionSet("counters", env.fromData(counters), c -> c.f0)
                        .bindVariable("lookups", env.fromData(lookups))
                        .withBody(
                                (inputs, context) -> {
                                    SolutionSet<Integer, Tuple2<Integer, Integer>> solution =
                                            context.solutionSet("counters");
                                    DataStream<Tuple2<Integer, Integer>> next =
                                            solution.join(
                                                    inputs.get("lookups"),
                                                    l -> l.f0,
                                                    new CountLookups(),
                                                    PAIR);
                                    if (failure != null) {
                                        next =
                                                next.process(
                                                                new InjectedFailure<>(
                                                                        failure, KEYS * 5L))
                                                        .returns(PAIR)
                                                        .map(new FailoverTest.Pacer<>())
                                                        .returns(PAIR);
                                    }
                                    DataStream<Tuple2<Integer, Integer>> rounds =
                                            next.map(
                                                            l ->
                                                                    Tuple2.of(
                                                                            l.f0,
                                                                            IterationRuntimeContext
                                                                                    .currentRound()))
                                                    .returns(PAIR);
                                    return IterationDeclaration.builder()
                                            .withFeedback("lookups", next)
                                            .withOutput("counters", solution.finalValues())
                                            .withOutput("rounds", rounds)
                                            .until(TerminationCondition.maxRounds(100))
                                            .build();
                                })
                        .apply();
        TestCluster.Collected<Tuple2<Integer, Integer>> finalCounters =
                TestCluster.collectLater(results.get("counters"));
        TestCluster.Collected<Tuple2<Integer, Integer>> rounds =
                TestCluster.collectLater(results.get("rounds"));
        env.execute();
        Map<String, List<Tuple2<Integer, Integer>>> out = new HashMap<>();
        out.put("counters", finalCounters.list());
        out.put("rounds", rounds.list());
        return out;
    }

    /** Counts each lookup and sends the key back while its counter stays below the limit. */
    private static final class CountLookups
            implements SolutionSetJoinFunction<
                    Tuple2<Integer, Integer>, Tuple2<Integer, Integer>, Tuple2<Integer, Integer>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void join(
                Tuple2<Integer, Integer> lookup,
                Tuple2<Integer, Integer> counter,
                Context<Tuple2<Integer, Integer>> context,
                Collector<Tuple2<Integer, Integer>> out) {
            int count = counter.f1 + 1;
            context.update(Tuple2.of(counter.f0, count));
            if (count < limit(counter.f0)) {
                out.collect(Tuple2.of(counter.f0, count));
            }
        }
    }

    /**
     * Inserts -1 for a key without value in round 0, -2 in later rounds; an existing key of round 0
     * asks for key + 100 in round 1.
     */
    private static final class InsertIfAbsent
            implements SolutionSetJoinFunction<
                    Tuple2<Integer, Integer>, Tuple2<Integer, Integer>, Tuple2<Integer, Integer>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void join(
                Tuple2<Integer, Integer> lookup,
                Tuple2<Integer, Integer> current,
                Context<Tuple2<Integer, Integer>> context,
                Collector<Tuple2<Integer, Integer>> out) {
            int round = IterationRuntimeContext.currentRound();
            if (current == null) {
                context.update(Tuple2.of(lookup.f0, round == 0 ? -1 : -2));
            } else if (round == 0) {
                out.collect(Tuple2.of(lookup.f0 + 100, 0));
            }
        }
    }

    /** The counting loop in plain Java. */
    private static Reference reference() {
        Reference reference = new Reference();
        for (int k = 0; k < KEYS; k++) {
            int counter = 0;
            int lookups = LOOKUPS_PER_KEY;
            int round = 0;
            int lastRound = 0;
            while (lookups > 0) {
                lastRound = round;
                int sent = 0;
                for (int i = 0; i < lookups; i++) {
                    counter++;
                    if (counter < limit(k)) {
                        sent++;
                    }
                }
                lookups = sent;
                round++;
            }
            reference.counters.add(Tuple2.of(k, counter));
            reference.lastRound = Math.max(reference.lastRound, lastRound);
        }
        return reference;
    }

    private static final class Reference {
        final List<Tuple2<Integer, Integer>> counters = new ArrayList<>();
        int lastRound;
    }

    /** The largest round in which a lookup sent a key back, plus one: the last round with any. */
    private static int maxRound(List<Tuple2<Integer, Integer>> rounds) {
        return rounds.stream().mapToInt(r -> r.f1).max().orElse(-1) + 1;
    }
}
