package io.github.flinkiteration.flinkml;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.flinkml.common.iteration.TerminateOnMaxIterOrTol;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A halving loss ends the iteration at the tolerance or at the round limit, whichever is first. */
class TerminateOnMaxIterOrTolCompatTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = CompatCluster.extension();

    // At parallelism 4 only one subtask gets the round's loss; the others, as on flink-ml, do not
    // keep the iteration going.
    @ParameterizedTest(name = "maxIter {0}, tol {1}, criteria parallelism {2}")
    @CsvSource({"20, 1.0, 1", "3, 1.0, 1", "20, 0.001, 1", "20, 1.0, 4"})
    void stopsAtTheToleranceOrTheRoundLimit(int maxIter, double tol, int criteriaParallelism)
            throws Exception {
        double start = 64.0;
        StreamExecutionEnvironment env = CompatCluster.env(4);
        DataStreamList outputs =
                Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(env.fromData(start)),
                        ReplayableDataStreamList.notReplay(),
                        IterationConfig.newBuilder().build(),
                        (variables, data) -> {
                            DataStream<Double> x = variables.get(0);
                            DataStream<Double> loss = x.map(v -> v / 2);
                            DataStream<Integer> criteria =
                                    loss.flatMap(new TerminateOnMaxIterOrTol(maxIter, tol))
                                            .setParallelism(criteriaParallelism);
                            DataStream<Integer> epochs =
                                    x.map(v -> 1)
                                            .transform("epochs", Types.INT, new EpochOperator())
                                            .setParallelism(1);
                            return new IterationBodyResult(
                                    DataStreamList.of(loss), DataStreamList.of(epochs), criteria);
                        });
        List<Integer> epochs = new ArrayList<>();
        outputs.<Integer>get(0).executeAndCollect().forEachRemaining(epochs::add);

        // Reference: epoch r's loss is start / 2^(r + 1); flink-ml continues while both hold.
        List<Integer> expected = new ArrayList<>();
        for (int epoch = 0; ; epoch++) {
            expected.add(epoch);
            double loss = start / Math.pow(2, epoch + 1);
            if (!(epoch + 1 < maxIter && loss > tol)) {
                break;
            }
        }
        assertThat(epochs).containsExactlyElementsOf(expected);
    }
}
