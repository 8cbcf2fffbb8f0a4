package io.github.flinkiteration.examples;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationConfig;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Events going round an unbounded loop, summed per key in keyed state: each event {@code id} enters
 * with {@code hops} hops to go, and every visit adds {@code id + 1} to the running sum of key
 * {@code id % keys} and emits {@code (key, sum)}. The loop ends when the events have ended and no
 * event has hops left. Every visit depends on the keyed state before it, and at any time many
 * events are on their way round the loop, so the job shows whether a restore, including one at
 * another parallelism, loses or repeats anything: the last sum of each key must equal {@link
 * #expectedSums}.
 *
 * <p>Run it with {@code --events N --hops H --keys K}; {@code --hop-pause-ms N} waits N ms per hop,
 * so that a test can act while events go round; {@code --output PATH} writes one line {@code key
 * sum} per visit to a file (how it runs on a cluster); {@code --checkpoint-interval-ms N} turns
 * checkpointing on (see {@code Arguments#applyCheckpointing}). The iteration is named {@code
 * circulating_sums}.
 *
 * <p>With {@code --in-rounds} each hop is a round of a bounded iteration instead ({@link
 * #sumsInRounds}): the same visits and sums, but in lock-step, and with checkpoints taken between
 * two rounds, so that a restart from one may change the parallelism.
 */
public final class CirculatingSums {

    static final TypeInformation<Tuple2<Long, Long>> EVENT = Types.TUPLE(Types.LONG, Types.LONG);
    private static final TypeInformation<Tuple3<Long, Long, Long>> VISIT =
            Types.TUPLE(Types.LONG, Types.LONG, Types.LONG);

    private CirculatingSums() {}

    /**
     * The loop over {@code events} ({@code (id, hops to go)}): every visit's {@code (key, sum)}.
     */
    public static DataStream<Tuple2<Long, Long>> sums(
            DataStream<Tuple2<Long, Long>> events, int keys, int hopPauseMillis) {
        return new UnboundedIteration()
                .name("circulating_sums")
                .bindVariable("events", events)
                .withBody(
                        (inputs, context) -> {
                            DataStream<Tuple3<Long, Long, Long>> visits =
                                    visits(inputs.get("events"), keys);
                            return IterationDeclaration.builder()
                                    .withFeedback("events", nextHops(visits, hopPauseMillis))
                                    .withOutput("visits", visits)
                                    .build();
                        })
                .apply()
                .<Tuple3<Long, Long, Long>>get("visits")
                .map(visit -> Tuple2.of(visit.f0 % keys, visit.f2))
                .returns(EVENT)
                .name("key and sum");
    }

    /**
     * The same loop as {@link #sums} as a bounded iteration: hop {@code h} of every event is round
     * {@code h}, so the iteration runs {@code hops + 1} rounds and ends with the same sums. The
     * keyed sum keeps the rounds in lock-step, and the iteration is built with {@link
     * IterationConfig.Builder#rescalableCheckpoints(boolean) rescalable checkpoints}: a job
     * restarted from any of its checkpoints may run at another parallelism, as after the adaptive
     * scheduler lost a TaskManager.
     */
    public static DataStream<Tuple2<Long, Long>> sumsInRounds(
            DataStream<Tuple2<Long, Long>> events, int keys, int hops, int hopPauseMillis) {
        return new BoundedIteration()
                .name("circulating_sums")
                .bindVariable("events", events)
                .withConfig(IterationConfig.builder().rescalableCheckpoints(true).build())
                .withBody(
                        (inputs, context) -> {
                            DataStream<Tuple3<Long, Long, Long>> visits =
                                    visits(inputs.get("events"), keys);
                            return IterationDeclaration.builder()
                                    .withFeedback("events", nextHops(visits, hopPauseMillis))
                                    .withOutput("visits", visits)
                                    .until(TerminationCondition.maxRounds(hops + 1))
                                    .build();
                        })
                .apply()
                .<Tuple3<Long, Long, Long>>get("visits")
                .map(visit -> Tuple2.of(visit.f0 % keys, visit.f2))
                .returns(EVENT)
                .name("key and sum");
    }

    /** Each event's visit to the sum of its key: {@code (id, hops to go, sum)}. */
    private static DataStream<Tuple3<Long, Long, Long>> visits(
            DataStream<Tuple2<Long, Long>> events, int keys) {
        return events.keyBy(event -> event.f0 % keys)
                .process(new KeyedSum())
                .returns(VISIT)
                .name("sum per key")
                .uid("sum-per-key");
    }

    /** The events that have hops left, one hop further on. */
    private static DataStream<Tuple2<Long, Long>> nextHops(
            DataStream<Tuple3<Long, Long, Long>> visits, int hopPauseMillis) {
        return visits.filter(visit -> visit.f1 > 0)
                .name("hops left")
                .map(new NextHop(hopPauseMillis))
                .returns(EVENT)
                .name("next hop");
    }

    /** The last sum of each key: event {@code id} adds {@code id + 1} on each of its visits. */
    public static Map<Long, Long> expectedSums(int events, int hops, int keys) {
        Map<Long, Long> sums = new TreeMap<>();
        for (long id = 0; id < events; id++) {
            sums.merge(id % keys, (id + 1) * (hops + 1), Long::sum);
        }
        return sums;
    }

    public static void main(String[] args) throws Exception {
        int events = Arguments.intValue(args, "--events", 64);
        int hops = Arguments.intValue(args, "--hops", 100);
        int keys = Arguments.intValue(args, "--keys", 16);
        int hopPauseMillis = Arguments.intValue(args, "--hop-pause-ms", 0);
        String output = Arguments.stringValue(args, "--output");
        boolean inRounds = Arrays.asList(args).contains("--in-rounds");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Arguments.applyParallelism(args, env);
        Arguments.applyCheckpointing(args, env);
        DataStream<Tuple2<Long, Long>> input =
                env.fromSequence(0, events - 1)
                        .name("events")
                        .uid("events")
                        .map(id -> Tuple2.of(id, (long) hops))
                        .returns(EVENT)
                        .name("with hops")
                        .uid("with-hops");
        DataStream<Tuple2<Long, Long>> sums =
                inRounds
                        ? sumsInRounds(input, keys, hops, hopPauseMillis)
                        : sums(input, keys, hopPauseMillis);

        if (output != null) {
            // A cluster may run the job detached: the sums go to a file, not to stdout.
            sums.map(sum -> sum.f0 + " " + sum.f1 + "\n")
                    .returns(Types.STRING)
                    .name("report")
                    .uid("report")
                    .setParallelism(1)
                    .sinkTo(new TextFileSink(output))
                    .name("write " + output)
                    .uid("write")
                    .setParallelism(1);
            env.execute("circulating sums");
            return;
        }
        Map<Long, Long> last = new TreeMap<>();
        try (CloseableIterator<Tuple2<Long, Long>> visits = sums.executeAndCollect()) {
            visits.forEachRemaining(sum -> last.merge(sum.f0, sum.f1, Math::max));
        }
        System.out.println("sums: " + last);
        System.out.println("expected: " + expectedSums(events, hops, keys));
    }

    /** Adds {@code id + 1} to the key's sum; emits {@code (id, hops to go, sum)}. */
    static final class KeyedSum
            extends KeyedProcessFunction<Long, Tuple2<Long, Long>, Tuple3<Long, Long, Long>> {
        private transient ValueState<Long> sum;

        @Override
        public void open(OpenContext context) {
            sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Long.class));
        }

        @Override
        public void processElement(
                Tuple2<Long, Long> event, Context ctx, Collector<Tuple3<Long, Long, Long>> out)
                throws Exception {
            long next = (sum.value() == null ? 0 : sum.value()) + event.f0 + 1;
            sum.update(next);
            out.collect(Tuple3.of(event.f0, event.f1, next));
        }
    }

    /** One hop fewer to go, after an optional pause. */
    static final class NextHop
            implements MapFunction<Tuple3<Long, Long, Long>, Tuple2<Long, Long>> {
        private final int pauseMillis;

        NextHop(int pauseMillis) {
            this.pauseMillis = pauseMillis;
        }

        @Override
        public Tuple2<Long, Long> map(Tuple3<Long, Long, Long> visit) throws InterruptedException {
            if (pauseMillis > 0) {
                Thread.sleep(pauseMillis);
            }
            return Tuple2.of(visit.f0, visit.f1 - 1);
        }
    }
}
