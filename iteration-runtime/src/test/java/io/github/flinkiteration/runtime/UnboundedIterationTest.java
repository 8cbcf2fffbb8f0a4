package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.UnboundedIteration;
import io.github.flinkiteration.testing.ControlledSource;
import io.github.flinkiteration.testing.Jobs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Unbounded iterations: records flow without waiting for rounds to end, callbacks still come in
 * round order, the job ends by itself once bounded inputs end and the loop drains, and a job with
 * an unbounded input runs until it is cancelled.
 */
class UnboundedIterationTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    @Test
    void endsByItselfWhenBoundedInputsEndAndTheLoopDrains() throws Exception {
        long numbers = 3_000;
        StreamExecutionEnvironment env = TestCluster.env(4);
        List<Tuple2<Long, Long>> starts =
                LongStream.rangeClosed(1, numbers)
                        .mapToObj(n -> Tuple2.of(n, n))
                        .collect(Collectors.toList());
        ResultStreams results =
                new UnboundedIteration()
                        .bindVariable("n", env.fromData(starts))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Tuple2<Long, Long>> n = inputs.get("n");
                                    DataStream<Tuple2<Integer, Tuple2<Long, Long>>> tagged =
                                            n.rebalance().process(new RoundTagger<>());
                                    DataStream<Tuple2<Long, Integer>> done =
                                            tagged.filter(t -> t.f1.f1 == 1)
                                                    .map(t -> Tuple2.of(t.f1.f0, t.f0))
                                                    .returns(Types.TUPLE(Types.LONG, Types.INT));
                                    DataStream<Tuple2<Long, Long>> next =
                                            tagged.filter(t -> t.f1.f1 != 1)
                                                    .map(t -> Tuple2.of(t.f1.f0, collatz(t.f1.f1)))
                                                    .returns(Types.TUPLE(Types.LONG, Types.LONG));
                                    return IterationDeclaration.builder()
                                            .withFeedback("n", next)
                                            .withOutput("steps", done)
                                            .build();
                                })
                        .apply();

        Map<Long, Integer> steps = new HashMap<>();
        for (Tuple2<Long, Integer> done :
                TestCluster.<Tuple2<Long, Integer>>collect(results.get("steps"))) {
            assertThat(steps.put(done.f0, done.f1)).as("reached 1 twice: %s", done.f0).isNull();
        }
        Map<Long, Integer> expected = new HashMap<>();
        for (long start = 1; start <= numbers; start++) {
            int count = 0;
            for (long value = start; value != 1; value = collatz(value)) {
                count++;
            }
            expected.put(start, count);
        }
        assertThat(steps).isEqualTo(expected);
    }

    private static long collatz(long value) {
        return value % 2 == 0 ? value / 2 : 3 * value + 1;
    }

    @Test
    void callbacksComeInRoundOrderAroundEachRoundsRecords() throws Exception {
        // Value v is fed back until it reaches 0, so it is seen in rounds 0 … v.
        List<Integer> initial = IntStream.range(0, 30).boxed().collect(Collectors.toList());
        int listenerParallelism = 4;
        StreamExecutionEnvironment env = TestCluster.env(2);
        ResultStreams results =
                new UnboundedIteration()
                        .bindVariable("x", env.fromData(initial))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<String> events =
                                            x.rebalance()
                                                    .process(new EventRecorder())
                                                    .setParallelism(listenerParallelism);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", x.filter(v -> v > 0).map(v -> v - 1))
                                            .withOutput("events", events)
                                            .build();
                                })
                        .apply();
        List<String> events = TestCluster.collect(results.get("events"));

        Map<String, List<String>> bySubtask = new TreeMap<>();
        for (String event : events) {
            String[] parts = event.split(":", 2);
            bySubtask.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(parts[1]);
        }
        assertThat(bySubtask).hasSize(listenerParallelism);
        int records = 0;
        int lastRound = initial.get(initial.size() - 1);
        for (List<String> sequence : bySubtask.values()) {
            for (int round = 0; round <= lastRound; round++) {
                int start = sequence.indexOf("start " + round);
                int end = sequence.indexOf("end " + round);
                assertThat(start).as("start of round %d", round).isGreaterThanOrEqualTo(0);
                assertThat(end).as("end of round %d", round).isGreaterThan(start);
                assertThat(sequence.lastIndexOf("start " + round)).isEqualTo(start);
                assertThat(sequence.lastIndexOf("end " + round)).isEqualTo(end);
                if (round > 0) {
                    assertThat(start).isGreaterThan(sequence.indexOf("start " + (round - 1)));
                    assertThat(end).isGreaterThan(sequence.indexOf("end " + (round - 1)));
                }
                for (int at = 0; at < sequence.size(); at++) {
                    if (sequence.get(at).equals("record " + round)) {
                        assertThat(at).isBetween(start, end);
                        records++;
                    }
                }
            }
            assertThat(sequence.get(sequence.size() - 1)).isEqualTo("terminated");
            assertThat(sequence.stream().filter(e -> e.startsWith("start ")))
                    .hasSize(lastRound + 1);
            assertThat(sequence.stream().filter(e -> e.startsWith("end "))).hasSize(lastRound + 1);
        }
        // Value v is processed once in each of the rounds 0 … v.
        assertThat(records).isEqualTo(initial.stream().mapToInt(v -> v + 1).sum());
    }

    @Test
    // A separate thread: the collect iterator swallows the interrupt of a same-thread timeout.
    @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void feedbackCirclesWhileAnUnboundedInputIsOpenAndTheJobCancelsCleanly() throws Exception {
        int ticks = 10;
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            StreamExecutionEnvironment env = TestCluster.env(2);
            // Buffers leave only when full: records come out only if the iteration flushes them.
            env.setBufferTimeout(-1);
            DataStream<Long> events =
                    env.fromSource(
                                    ControlledSource.unbounded(gate, i -> i, Types.LONG),
                                    WatermarkStrategy.noWatermarks(),
                                    "events")
                            .setParallelism(1);
            ResultStreams results =
                    new UnboundedIteration()
                            .bindVariable("tick", env.fromData(0L))
                            .bindData("events", events)
                            .withBody(
                                    (inputs, context) -> {
                                        DataStream<Long> tick = inputs.get("tick");
                                        DataStream<Long> seen = inputs.get("events");
                                        // The feedback path reads the open input too, so in
                                        // lock-step round 0 could not end and no tick return.
                                        DataStream<Long> all = tick.union(seen.map(e -> -1 - e));
                                        return IterationDeclaration.builder()
                                                .withFeedback(
                                                        "tick",
                                                        all.filter(t -> t >= 0 && t + 1 < ticks)
                                                                .map(t -> t + 1))
                                                .withOutput("all", all)
                                                .build();
                                    })
                            .apply();
            DataStream<Long> ticksAndEvents = results.get("all");
            try (CloseableIterator<Long> out = ticksAndEvents.collectAsync()) {
                JobClient job = env.executeAsync();
                // The gate holds every event back: round 0 cannot end, yet the loop goes round.
                List<Long> seenWhileClosed = new ArrayList<>();
                for (int i = 0; i < ticks; i++) {
                    seenWhileClosed.add(out.next());
                }
                // Ticks take parallel paths to the sink, so their order there is not fixed.
                assertThat(seenWhileClosed)
                        .containsExactlyInAnyOrderElementsOf(
                                LongStream.range(0, ticks).boxed().collect(Collectors.toList()));

                gate.allowBelow(5);
                List<Long> events5 = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    events5.add(out.next());
                }
                assertThat(events5).containsExactlyInAnyOrder(-1L, -2L, -3L, -4L, -5L);

                job.cancel().get();
                assertThat(Jobs.awaitTerminalStatus(job)).isEqualTo(JobStatus.CANCELED);
            }
        }
    }

    @Test
    void recordTimestampsPassThroughTheBody() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(2);
        List<Long> values = LongStream.range(0, 200).boxed().collect(Collectors.toList());
        DataStream<Long> timed =
                env.fromData(values)
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Long>forMonotonousTimestamps()
                                        .withTimestampAssigner((v, previous) -> 1_000 + 10 * v));
        ResultStreams results =
                new UnboundedIteration()
                        .bindVariable("unused", env.fromData(0))
                        .bindData("timed", timed)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> unused = inputs.get("unused");
                                    DataStream<Long> t = inputs.get("timed");
                                    return IterationDeclaration.builder()
                                            .withFeedback("unused", unused.filter(v -> false))
                                            .withOutput(
                                                    "inside",
                                                    t.rebalance().process(new TimestampOf()))
                                            .withOutput("passed", t.map(v -> v))
                                            .build();
                                })
                        .apply();
        TestCluster.Collected<Tuple2<Long, Long>> inside =
                TestCluster.collectLater(results.get("inside"));
        TestCluster.Collected<Tuple2<Long, Long>> outside =
                TestCluster.collectLater(results.<Long>get("passed").process(new TimestampOf()));
        env.execute();

        for (List<Tuple2<Long, Long>> seen : List.of(inside.list(), outside.list())) {
            assertThat(seen).hasSize(values.size());
            for (Tuple2<Long, Long> valueAndTimestamp : seen) {
                assertThat(valueAndTimestamp.f1).isEqualTo(1_000 + 10 * valueAndTimestamp.f0);
            }
        }
    }

    /** Emits each value with the timestamp it arrived with. */
    private static final class TimestampOf extends ProcessFunction<Long, Tuple2<Long, Long>> {
        @Override
        public void processElement(Long value, Context ctx, Collector<Tuple2<Long, Long>> out) {
            out.collect(Tuple2.of(value, ctx.timestamp()));
        }
    }
}
