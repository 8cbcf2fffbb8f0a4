package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.RoundAwareProcessFunction;
import io.github.flinkiteration.api.TerminationCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
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
 * Where the loop's operators hand records to each other without Flink's copy (the head to the one
 * operator after it, an operator to the tail chained behind it), users still get what object reuse
 * promises: an operator may change a record it got, or one it emitted, and nobody else sees it. The
 * bodies below change mutable tuples in place; each result is computed in plain Java.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChainedHandoffTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final TypeInformation<Tuple2<Long, Long>> PAIR =
            Types.TUPLE(Types.LONG, Types.LONG);

    private static final int VALUES = 2000;
    private static final int ROUNDS = 15;

    @ParameterizedTest(name = "object reuse {0}")
    @ValueSource(booleans = {false, true})
    void theFirstOperatorMayChangeTheRecordsTheHeadHandsIt(boolean objectReuse) throws Exception {
        StreamExecutionEnvironment env = env(objectReuse);
        List<Tuple2<Long, Long>> result =
                finalValues(
                        env,
                        values ->
                                values.map(
                                                pair -> {
                                                    pair.f1 = pair.f1 * 3 + 1; // in place
                                                    return pair;
                                                })
                                        .returns(PAIR));

        assertThat(result).containsExactlyInAnyOrderElementsOf(reference(ROUNDS));
    }

    @ParameterizedTest(name = "object reuse {0}")
    @ValueSource(booleans = {false, true})
    void anOperatorMayChangeARecordAfterEmittingIt(boolean objectReuse) throws Exception {
        StreamExecutionEnvironment env = env(objectReuse);
        List<Tuple2<Long, Long>> result =
                finalValues(env, values -> values.flatMap(new ReusingStep()).returns(PAIR));

        assertThat(result).containsExactlyInAnyOrderElementsOf(reference(ROUNDS));
    }

    @Test
    void twoOperatorsReadingTheVariableEachGetTheirOwnRecords() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        DataStream<Tuple3<Long, Integer, Long>> seen =
                new BoundedIteration()
                        .bindVariable("values", initialStream(env))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Tuple2<Long, Long>> values = inputs.get("values");
                                    // Changes each record in place: the other reader must not see
                                    // it, whichever of the two gets a record first.
                                    DataStream<Tuple2<Long, Long>> next =
                                            values.map(
                                                            pair -> {
                                                                pair.f1 = pair.f1 * 3 + 1;
                                                                return pair;
                                                            })
                                                    .returns(PAIR);
                                    DataStream<Tuple3<Long, Integer, Long>> tagged =
                                            values.process(new TagWithRound())
                                                    .returns(
                                                            Types.TUPLE(
                                                                    Types.LONG,
                                                                    Types.INT,
                                                                    Types.LONG));
                                    return IterationDeclaration.builder()
                                            .withFeedback("values", next)
                                            .withOutput("seen", tagged)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply()
                        .get("seen");

        List<Tuple3<Long, Integer, Long>> expected = new ArrayList<>();
        List<Tuple2<Long, Long>> values = initial();
        for (int round = 0; round < ROUNDS; round++) {
            for (Tuple2<Long, Long> pair : values) {
                expected.add(Tuple3.of(pair.f0, round, pair.f1));
            }
            values.replaceAll(ChainedHandoffTest::step);
        }
        assertThat(seen.executeAndCollect(VALUES * ROUNDS + 1))
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Emits each pair it reads with the round it read it in. */
    private static final class TagWithRound
            extends RoundAwareProcessFunction<Tuple2<Long, Long>, Tuple3<Long, Integer, Long>> {
        @Override
        public void processElement(
                Tuple2<Long, Long> pair,
                int round,
                Context ctx,
                Collector<Tuple3<Long, Integer, Long>> out) {
            out.collect(Tuple3.of(pair.f0, round, pair.f1));
        }
    }

    /** Emits every step from one tuple it keeps, changed for each record. */
    private static final class ReusingStep
            implements FlatMapFunction<Tuple2<Long, Long>, Tuple2<Long, Long>> {
        private final Tuple2<Long, Long> out = new Tuple2<>();

        @Override
        public void flatMap(Tuple2<Long, Long> pair, Collector<Tuple2<Long, Long>> collector) {
            out.f0 = pair.f0;
            out.f1 = pair.f1 * 3 + 1;
            collector.collect(out);
            out.f1 = -1L; // too late to matter: what was collected is the record's value
        }
    }

    private static StreamExecutionEnvironment env(boolean objectReuse) {
        StreamExecutionEnvironment env = TestCluster.env(4);
        if (objectReuse) {
            env.getConfig().enableObjectReuse();
        }
        return env;
    }

    private interface Body {
        DataStream<Tuple2<Long, Long>> apply(DataStream<Tuple2<Long, Long>> values);
    }

    private static List<Tuple2<Long, Long>> finalValues(StreamExecutionEnvironment env, Body body)
            throws Exception {
        DataStream<Tuple2<Long, Long>> result =
                new BoundedIteration()
                        .bindVariable("values", initialStream(env))
                        .withBody(
                                (inputs, context) ->
                                        IterationDeclaration.builder()
                                                .withFeedback(
                                                        "values",
                                                        body.apply(
                                                                inputs.<Tuple2<Long, Long>>get(
                                                                        "values")))
                                                .withFinalValue("result", "values")
                                                .until(TerminationCondition.maxRounds(ROUNDS))
                                                .build())
                        .apply()
                        .get("result");
        return result.executeAndCollect(VALUES + 1);
    }

    /** At the environment's parallelism, so that the loop runs at it and the tail chains. */
    private static DataStream<Tuple2<Long, Long>> initialStream(StreamExecutionEnvironment env) {
        return env.fromData(initial()).rebalance().map(v -> v).returns(PAIR);
    }

    private static List<Tuple2<Long, Long>> initial() {
        List<Tuple2<Long, Long>> initial = new ArrayList<>();
        for (long id = 0; id < VALUES; id++) {
            initial.add(Tuple2.of(id, id % 97));
        }
        return initial;
    }

    private static Tuple2<Long, Long> step(Tuple2<Long, Long> pair) {
        return Tuple2.of(pair.f0, pair.f1 * 3 + 1);
    }

    private static List<Tuple2<Long, Long>> reference(int rounds) {
        List<Tuple2<Long, Long>> values = initial();
        for (int round = 0; round < rounds; round++) {
            values.replaceAll(ChainedHandoffTest::step);
        }
        return values;
    }
}
