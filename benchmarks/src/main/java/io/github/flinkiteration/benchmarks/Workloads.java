package io.github.flinkiteration.benchmarks;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.IterationListener;
import io.github.flinkiteration.api.RoundAwareProcessFunction;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.examples.Centroids;
import io.github.flinkiteration.examples.ConnectedComponents;
import io.github.flinkiteration.examples.Graphs;
import io.github.flinkiteration.examples.KMeans;
import io.github.flinkiteration.examples.KMeansData;
import io.github.flinkiteration.examples.PageRank;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;

/** The workloads of ../shared/BENCHMARKS.md, each run in a fresh local MiniCluster. */
final class Workloads {

    /** The accumulator that brings a workload's checksum back ({@link AccumulatedResults}). */
    private static final String CHECKSUMS = "checksums";

    /** W3: number of records fed back every round, unless {@code --records} says otherwise. */
    static final long W3_RECORDS = 1_000_000L;

    private Workloads() {}

    /**
     * Runs one workload.
     *
     * @param bufferTimeoutMs Flink's network buffer timeout in ms; negative keeps Flink's default
     * @param objectReuse whether to turn on Flink's object reuse (off by default, as in Flink)
     * @param mode the job's runtime mode; W4, an unbounded iteration, needs STREAMING
     * @param records W3's (and w3-chain's) records per round; the other workloads ignore it
     */
    static RunResult run(
            String workload,
            int parallelism,
            int rounds,
            long bufferTimeoutMs,
            boolean objectReuse,
            RuntimeExecutionMode mode,
            long records)
            throws Exception {
        // The peak heap is the run's own: Flink's local cluster starts inside the run.
        HeapPeak.reset();
        StreamExecutionEnvironment env = environment(parallelism, bufferTimeoutMs);
        env.setRuntimeMode(mode);
        if (objectReuse) {
            env.getConfig().enableObjectReuse();
            return run(workload, env, rounds, records).with("objectReuse", 1);
        }
        return run(workload, env, rounds, records);
    }

    private static RunResult run(
            String workload, StreamExecutionEnvironment env, int rounds, long records)
            throws Exception {
        switch (workload) {
            case "w1":
                return w1(env, rounds);
            case "w2":
                return w2(env, rounds);
            case "w3":
                return w3(env, rounds, records);
            case "w3-chain":
                return w3Chain(env, rounds, records);
            case "w4":
                return OnlineTrainingWorkload.run(env, OnlineTrainingWorkload.DEFAULT_RECORDS);
            case "w5":
                return TensorFlowTrainingWorkload.run(
                        env, TensorFlowTrainingWorkload.DEFAULT_ROWS, rounds);
            case "w5-session":
                // --parallelism N: N sessions at once, each on its own thread.
                return TensorFlowTrainingWorkload.runSession(
                        TensorFlowTrainingWorkload.DEFAULT_ROWS, rounds, env.getParallelism());
            case "w6":
                return w6(env);
            case "w7":
                return w7(env, rounds);
            default:
                throw new IllegalArgumentException(
                        "Unknown workload '"
                                + workload
                                + "'; expected w1, w2, w3, w3-chain, w4, w5, w5-session, w6 or w7.");
        }
    }

    /** W1: one Integer counter, +1 per round; checksum is the counter's final value. */
    static RunResult w1(StreamExecutionEnvironment env, int rounds) throws Exception {
        DataStream<Integer> initial =
                env.fromData(0).setParallelism(1).map(v -> v).setParallelism(env.getParallelism());
        DataStream<Integer> last = incrementLoop(initial, v -> v + 1, new LastValue<>(), rounds);
        return execute("w1", rounds, env, last, v -> (double) v);
    }

    /** W2: k-means, exactly {@code rounds} rounds; checksum is the centroids' coordinate sum. */
    static RunResult w2(StreamExecutionEnvironment env, int rounds) throws Exception {
        DataStream<Centroids> centroids =
                KMeans.centroids(
                        env.fromData(KMeansData.initialCentroids()),
                        KMeans.points(env, KMeansData.DEFAULT_POINTS),
                        rounds);
        return execute("w2", rounds, env, centroids, Centroids::checksum);
    }

    /** W6: vertices and edges of G(n, m) for connected components. */
    static final int W6_VERTICES = 1_000_000;

    static final long W6_EDGES = 1_000_000L;

    /**
     * W6: connected components of G(1,000,000, 1,000,000) as a delta iteration, until no label
     * changes; the graph is generated inside the job. Checksum: the sum of all labels; the number
     * of components goes into the field {@code components}.
     */
    static RunResult w6(StreamExecutionEnvironment env) throws Exception {
        DataStream<Tuple2<Long, Long>> counts =
                ConnectedComponents.components(
                                Graphs.edges(env, W6_VERTICES, W6_EDGES), W6_VERTICES)
                        .map(l -> Tuple2.of(l.f0.equals(l.f1) ? 1L : 0L, (long) l.f1))
                        .returns(Types.TUPLE(Types.LONG, Types.LONG))
                        .windowAll(GlobalWindows.createWithEndOfStreamTrigger())
                        .reduce((a, b) -> Tuple2.of(a.f0 + b.f0, a.f1 + b.f1));
        AccumulatedResults.keep(counts, CHECKSUMS);
        long start = System.nanoTime();
        JobExecutionResult job = env.execute("w6");
        long wallMs = (System.nanoTime() - start) / 1_000_000;
        List<Tuple2<Long, Long>> kept = AccumulatedResults.of(job, CHECKSUMS);
        if (kept.isEmpty()) {
            throw new IllegalStateException("w6 produced no result");
        }
        Tuple2<Long, Long> last = kept.get(kept.size() - 1);
        return new RunResult("w6", env.getParallelism(), 0, wallMs, job.getNetRuntime(), last.f1)
                .inMode(modeOf(env))
                .with("components", last.f0);
    }

    /** W7: vertices of G(n, m) for PageRank. */
    static final int W7_VERTICES = 1_000_000;

    /** W7: edges of G(n, m) for PageRank. */
    static final long W7_EDGES = 4_000_000L;

    /**
     * W7: PageRank on G(1,000,000, 4,000,000), exactly {@code rounds} rounds, the graph generated
     * inside the job; checksum is the sum of rank(v) * (v mod 1000).
     */
    static RunResult w7(StreamExecutionEnvironment env, int rounds) throws Exception {
        DataStream<Double> checksum =
                PageRank.ranks(Graphs.edges(env, W7_VERTICES, W7_EDGES), W7_VERTICES, rounds)
                        .map(rank -> rank.f1 * (rank.f0 % 1000))
                        .windowAll(GlobalWindows.createWithEndOfStreamTrigger())
                        .reduce(Double::sum);
        return execute("w7", rounds, env, checksum, v -> v);
    }

    /**
     * W3: {@code records} Longs, record i starting at i * 1000, each round adds one and feeds every
     * record back; checksum is the sum after the last round.
     *
     * <p>The body is DataSet's W3 body (one map), and what leaves it is the variable's final value,
     * as DataSet's {@code closeWith} returns it: the records the last round fed back. Each subtask
     * sums them outside the iteration. No operator of the body watches a round end.
     */
    static RunResult w3(StreamExecutionEnvironment env, int rounds, long records) throws Exception {
        DataStream<Long> initial = env.fromSequence(0, records - 1).map(i -> i * 1000);
        DataStream<Long> lastRound =
                new BoundedIteration()
                        .bindVariable("values", initial)
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> next =
                                            inputs.<Long>get("values").map(v -> v + 1);
                                    return IterationDeclaration.builder()
                                            .withFeedback("values", next)
                                            .withFinalValue("result", "values")
                                            .until(TerminationCondition.maxRounds(rounds))
                                            .build();
                                })
                        .apply()
                        .get("result");
        DataStream<Long> total =
                lastRound
                        .transform("partial sum", Types.LONG, new PartialSum())
                        .windowAll(GlobalWindows.createWithEndOfStreamTrigger())
                        .reduce(Long::sum);
        return execute("w3", rounds, env, total, v -> (double) v).withRecords(records);
    }

    /**
     * W3's arithmetic without an iteration: {@code rounds} chained maps, so each record passes all
     * of them while it is hot in the cache. Not a workload of BENCHMARKS.md but its floor: what
     * Flink's chained operators cost per record and step on this machine, whatever loop carries the
     * records. Same checksum as W3.
     */
    static RunResult w3Chain(StreamExecutionEnvironment env, int rounds, long records)
            throws Exception {
        DataStream<Long> values = env.fromSequence(0, records - 1).map(i -> i * 1000);
        for (int round = 0; round < rounds; round++) {
            values = values.map(v -> v + 1);
        }
        DataStream<Long> total =
                values.windowAll(GlobalWindows.createWithEndOfStreamTrigger()).reduce(Long::sum);
        return execute("w3-chain", rounds, env, total, v -> (double) v).withRecords(records);
    }

    /**
     * Feeds every record back through {@code step} for {@code rounds} rounds and returns what
     * {@code result}, a listener placed after the step, emits.
     */
    private static <T> DataStream<T> incrementLoop(
            DataStream<T> initial,
            MapFunction<T, T> step,
            ProcessFunction<T, T> result,
            int rounds) {
        return new BoundedIteration()
                .bindVariable("values", initial)
                .withBody(
                        (inputs, context) -> {
                            DataStream<T> values = inputs.get("values");
                            DataStream<T> next = values.map(step).returns(initial.getType());
                            return IterationDeclaration.builder()
                                    .withFeedback("values", next)
                                    .withOutput(
                                            "result",
                                            next.process(result).returns(initial.getType()))
                                    .until(TerminationCondition.maxRounds(rounds))
                                    .build();
                        })
                .apply()
                .get("result");
    }

    static StreamExecutionEnvironment environment(int parallelism, long bufferTimeoutMs) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        if (bufferTimeoutMs >= 0) {
            env.setBufferTimeout(bufferTimeoutMs);
        }
        return env;
    }

    private static <T> RunResult execute(
            String workload,
            int rounds,
            StreamExecutionEnvironment env,
            DataStream<T> result,
            MapFunction<T, Double> checksum)
            throws Exception {
        AccumulatedResults.keep(
                result.map(checksum).returns(Types.DOUBLE).setParallelism(result.getParallelism()),
                CHECKSUMS);
        long start = System.nanoTime();
        JobExecutionResult job = env.execute(workload);
        long wallMs = (System.nanoTime() - start) / 1_000_000;
        List<Double> checksums = AccumulatedResults.of(job, CHECKSUMS);
        if (checksums.isEmpty()) {
            throw new IllegalStateException(workload + " produced no result");
        }
        return new RunResult(
                        workload,
                        env.getParallelism(),
                        rounds,
                        wallMs,
                        job.getNetRuntime(),
                        checksums.get(checksums.size() - 1))
                .inMode(modeOf(env));
    }

    /** The job's runtime mode as the JSON line names it: {@code streaming} or {@code batch}. */
    private static String modeOf(StreamExecutionEnvironment env) {
        return env.getConfiguration()
                .get(ExecutionOptions.RUNTIME_MODE)
                .name()
                .toLowerCase(Locale.ROOT);
    }

    /** Emits, when the iteration ends, the last value this subtask saw. */
    static final class LastValue<T> extends ProcessFunction<T, T> implements IterationListener<T> {
        private T last;

        @Override
        public void processElement(T value, ProcessFunction<T, T>.Context ctx, Collector<T> out) {
            last = value;
        }

        @Override
        public void onRoundEnd(int round, IterationListener.Context context, Collector<T> out) {}

        @Override
        public void onIterationTerminated(IterationListener.Context context, Collector<T> out) {
            if (last != null) {
                out.collect(last);
            }
        }
    }

    /** Passes on the records of one round. */
    static final class RecordsOfRound<T> extends RoundAwareProcessFunction<T, T> {
        private final int round;

        RecordsOfRound(int round) {
            this.round = round;
        }

        @Override
        public void processElement(T value, int round, Context ctx, Collector<T> out) {
            if (round == this.round) {
                out.collect(value);
            }
        }
    }

    /**
     * Emits the sum of the Longs this subtask received when the final watermark comes, before
     * passing it on: the end-of-stream window after it fires on that watermark, and a sum emitted
     * later, from {@code endInput}, would miss it.
     */
    static final class PartialSum extends AbstractStreamOperator<Long>
            implements OneInputStreamOperator<Long, Long> {
        private long sum;

        @Override
        public void processElement(StreamRecord<Long> element) {
            sum += element.getValue();
        }

        @Override
        public void processWatermark(Watermark mark) throws Exception {
            if (mark.getTimestamp() == Long.MAX_VALUE) {
                output.collect(new StreamRecord<>(sum));
            }
            super.processWatermark(mark);
        }
    }
}
