package io.github.flinkiteration.flinkml;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.flinkml.common.iteration.ForwardInputsOfLastRound;
import io.github.flinkiteration.flinkml.common.iteration.TerminateOnMaxIter;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bounded all-round iterations ended by TerminateOnMaxIter or by a criteria stream. */
class BoundedIterationCompatTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = CompatCluster.extension();

    private static final List<Integer> INITIAL = List.of(0, 3, 5, 10, 2, 7, 1, 4);
    private static final int PARALLELISM = 4;

    // As on flink-ml: listeners see epochs 0 … maxIter − 1, and the feedback of the last epoch
    // still enters the body (as epoch maxIter, which never ends) before it terminates, so a
    // per-record output of the loop also carries the values of epoch maxIter.
    @ParameterizedTest(name = "maxIter {0}")
    @ValueSource(ints = {1, 5})
    void terminateOnMaxIterShowsEpochsZeroToMaxIterMinusOne(int maxIter) throws Exception {
        StreamExecutionEnvironment env = CompatCluster.env(PARALLELISM);
        DataStreamList outputs =
                Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(env.fromData(INITIAL)),
                        ReplayableDataStreamList.notReplay(),
                        IterationConfig.newBuilder().build(),
                        (variables, data) -> {
                            DataStream<Integer> values = variables.get(0);
                            DataStream<Integer> next = values.map(v -> v + 1);
                            return new IterationBodyResult(
                                    DataStreamList.of(next),
                                    DataStreamList.of(
                                            values.process(new SumPerEpoch())
                                                    .returns(Types.TUPLE(Types.INT, Types.INT)),
                                            values.map(v -> v),
                                            values.transform(
                                                    "epochs", Types.INT, new EpochOperator()),
                                            // Emitted at epoch ends only, as flink-ml requires.
                                            values.transform(
                                                            "last epoch",
                                                            Types.INT,
                                                            new EpochOperator())
                                                    .flatMap(new ForwardInputsOfLastRound<>())),
                                    next.flatMap(new TerminateOnMaxIter<>(maxIter)));
                        });
        CompatCluster.Collected<Tuple2<Integer, Integer>> sums =
                CompatCluster.collectLater(outputs.get(0));
        CompatCluster.Collected<Integer> all = CompatCluster.collectLater(outputs.get(1));
        CompatCluster.Collected<Integer> epochs = CompatCluster.collectLater(outputs.get(2));
        CompatCluster.Collected<Integer> last = CompatCluster.collectLater(outputs.get(3));
        env.execute();

        // Reference: epoch r sees every initial value plus r.
        int initialSum = INITIAL.stream().mapToInt(Integer::intValue).sum();
        List<Tuple2<Integer, Integer>> expectedSums = new ArrayList<>();
        List<Integer> expectedEpochs = new ArrayList<>();
        for (int epoch = 0; epoch < maxIter; epoch++) {
            expectedSums.add(Tuple2.of(epoch, initialSum + epoch * INITIAL.size()));
            for (int subtask = 0; subtask < PARALLELISM; subtask++) {
                expectedEpochs.add(epoch);
            }
        }
        List<Integer> expectedValues = new ArrayList<>();
        for (int epoch = 0; epoch <= maxIter; epoch++) {
            for (int v : INITIAL) {
                expectedValues.add(v + epoch);
            }
        }
        List<Tuple2<Integer, Integer>> sumsSeen = sums.list();
        assertThat(sumsSeen.stream().filter(t -> t.f0 < 0))
                .as("every subtask is told of the end once, after maxIter epochs")
                .containsExactlyElementsOf(nCopies(PARALLELISM, Tuple2.of(-1, maxIter)));
        assertThat(sumEpochsOverSubtasks(sumsSeen)).containsExactlyElementsOf(expectedSums);
        assertThat(epochs.list()).containsExactlyInAnyOrderElementsOf(expectedEpochs);
        assertThat(all.list())
                .as("the values of epochs 0 to maxIter, the last fed back before the end")
                .containsExactlyInAnyOrderElementsOf(expectedValues);
        assertThat(last.list())
                .as("ForwardInputsOfLastRound: each subtask's input of the last epoch")
                .containsExactlyElementsOf(nCopies(PARALLELISM, maxIter - 1));
    }

    // flink-ml ends after the first epoch, epoch 0 included, whose criteria stream is empty.
    @ParameterizedTest(name = "limit {0}")
    @ValueSource(ints = {1, 6})
    void criteriaStreamEndsAfterTheFirstEpochWithoutRecords(int limit) throws Exception {
        StreamExecutionEnvironment env = CompatCluster.env(PARALLELISM);
        DataStreamList outputs =
                Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(env.fromData(INITIAL)),
                        ReplayableDataStreamList.notReplay(),
                        IterationConfig.newBuilder().build(),
                        (variables, data) -> {
                            DataStream<Integer> values = variables.get(0);
                            DataStream<Integer> next = values.map(v -> v + 1);
                            return new IterationBodyResult(
                                    DataStreamList.of(next),
                                    DataStreamList.of(
                                            values.process(new SumPerEpoch())
                                                    .returns(Types.TUPLE(Types.INT, Types.INT))),
                                    next.filter(v -> v < limit));
                        });
        CompatCluster.Collected<Tuple2<Integer, Integer>> sums =
                CompatCluster.collectLater(outputs.get(0));
        env.execute();

        // Reference: epoch r's criteria holds the values v + r + 1 below the limit.
        int lastEpoch = 0;
        while (true) {
            int r = lastEpoch;
            if (INITIAL.stream().noneMatch(v -> v + r + 1 < limit)) {
                break;
            }
            lastEpoch++;
        }
        List<Integer> epochsSeen =
                sumEpochsOverSubtasks(sums.list()).stream().map(t -> t.f0).toList();
        assertThat(epochsSeen).isEqualTo(rangeClosed(lastEpoch));
    }

    /** Adds up the per-subtask sums of each epoch, in epoch order; drops termination records. */
    static List<Tuple2<Integer, Integer>> sumEpochsOverSubtasks(List<Tuple2<Integer, Integer>> in) {
        int maxEpoch = in.stream().mapToInt(t -> t.f0).max().orElse(-1);
        List<Tuple2<Integer, Integer>> result = new ArrayList<>();
        for (int epoch = 0; epoch <= maxEpoch; epoch++) {
            int e = epoch;
            result.add(
                    Tuple2.of(epoch, in.stream().filter(t -> t.f0 == e).mapToInt(t -> t.f1).sum()));
        }
        return result;
    }

    private static List<Integer> rangeClosed(int last) {
        List<Integer> result = new ArrayList<>();
        for (int i = 0; i <= last; i++) {
            result.add(i);
        }
        return result;
    }

    private static <T> List<T> nCopies(int n, T value) {
        return java.util.Collections.nCopies(n, value);
    }
}
