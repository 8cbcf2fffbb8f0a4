package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.testing.ControlledSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A savepoint taken in the middle of a bounded iteration resumes into a job that has a map added
 * upstream of the iteration, without allowing non-restored state: the iteration's own operators are
 * found by the ids derived from its name, the body's by the uids the test gives them.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SavepointAfterUpstreamChangeTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final int VALUES = 100;
    private static final int ROUNDS = 5;

    /** Records let in before the savepoint: round 0 is still open, round 1's feedback is held. */
    private static final int BEFORE_SAVEPOINT = 40;

    @ParameterizedTest
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void resumesAfterAMapWasAddedUpstreamOfTheIteration(String backend, @TempDir Path savepoints)
            throws Exception {
        String run = UUID.randomUUID().toString();
        try (ControlledSource.Gate gate = ControlledSource.newGate()) {
            StreamExecutionEnvironment first =
                    TestCluster.withAlignedSavepoints(TestCluster.env(2, backend));
            job(first, gate, run, false);
            JobClient job = first.executeAsync();
            gate.allowBelow(BEFORE_SAVEPOINT);
            while (RecordingSink.received(run).size() < BEFORE_SAVEPOINT) {
                Thread.sleep(10);
            }
            String savepoint = Savepoints.stopWithSavepoint(job, savepoints);

            Configuration resume = new Configuration();
            resume.set(StateBackendOptions.STATE_BACKEND, backend);
            resume.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
            StreamExecutionEnvironment second =
                    StreamExecutionEnvironment.getExecutionEnvironment(resume);
            second.setParallelism(2);
            job(second, gate, run, true);
            gate.open();
            second.execute();
            assertThat(RecordingSink.<Long>received(run).stream().sorted().toList())
                    .isEqualTo(reference());
        } finally {
            RecordingSink.forget(run);
        }
    }

    /**
     * Each value goes round {@link #ROUNDS} times, plus one per round, and leaves in every round.
     * Only the source, the body's map and the sink have uids: what the user must set.
     */
    private static void job(
            StreamExecutionEnvironment env,
            ControlledSource.Gate gate,
            String run,
            boolean mapUpstream) {
        DataStream<Long> values =
                env.fromSource(
                                ControlledSource.bounded(gate, VALUES, i -> i, Types.LONG),
                                WatermarkStrategy.noWatermarks(),
                                "values")
                        .uid("values");
        if (mapUpstream) {
            values = values.map(v -> v).returns(Types.LONG).name("added upstream");
        }
        new BoundedIteration()
                .bindVariable("x", values)
                .withBody(
                        (inputs, context) -> {
                            DataStream<Long> next =
                                    inputs.<Long>get("x")
                                            .map(v -> v + 1)
                                            .returns(Types.LONG)
                                            .uid("plus-one");
                            return IterationDeclaration.builder()
                                    .withFeedback("x", next)
                                    .withOutput("x", next)
                                    .until(TerminationCondition.maxRounds(ROUNDS))
                                    .build();
                        })
                .apply()
                .get("x")
                .sinkTo(new RecordingSink<>(run))
                .uid("results");
    }

    /**
     * What a run without a savepoint emits: value {@code v} leaves round {@code r} as v + r + 1.
     */
    private static List<Long> reference() {
        List<Long> expected = new ArrayList<>();
        for (long v = 0; v < VALUES; v++) {
            for (int r = 0; r < ROUNDS; r++) {
                expected.add(v + r + 1);
            }
        }
        return expected.stream().sorted().toList();
    }
}
