package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.ConvergenceCriterion;
import io.github.flinkiteration.api.IterationBody;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * The ids of an iteration's own operators derive from its name, and each iteration of a job gets a
 * name of its own. The savepoint these ids exist for is in {@link
 * SavepointAfterUpstreamChangeTest}.
 */
class IterationOperatorIdsTest {

    @Test
    void everyOperatorAnIterationAddsHasAUidFromItsNameAndRole() {
        StreamExecutionEnvironment env = TestCluster.env(2);
        // Every kind of operator the wiring adds: all but deciders here, deciders below.
        DataStream<Long> outputs =
                new BoundedIteration()
                        .name("a")
                        .bindVariable("x", longs(env, "x-source"))
                        .bindVariable("y", longs(env, "y-source"))
                        .bindData("d", longs(env, "d-source"))
                        .bindConstant("c", longs(env, "c-source"))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> x = inputs.get("x");
                                    DataStream<Long> step =
                                            x.union(inputs.get("d"), inputs.get("c"))
                                                    .map(v -> v + 1)
                                                    .returns(Types.LONG)
                                                    .uid("step");
                                    DataStream<Long> kept =
                                            step.filter(v -> v < 10).uid("keep-small");
                                    // Computed from x alone: y's tail needs a region link.
                                    DataStream<Long> y = x.map(v -> v).returns(Types.LONG).uid("y");
                                    DataStream<Double> loss =
                                            step.map(v -> (double) v)
                                                    .returns(Types.DOUBLE)
                                                    .uid("loss");
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", kept)
                                            .withFeedback("y", y)
                                            .withOutput("o", step)
                                            .until(
                                                    TerminationCondition.whenEmpty(kept)
                                                            .or(
                                                                    TerminationCondition
                                                                            .whenConverged(
                                                                                    loss,
                                                                                    ConvergenceCriterion
                                                                                            .deltaBelow(
                                                                                                    0.1))))
                                            .build();
                                })
                        .apply()
                        .get("o");
        outputs.sinkTo(new RecordingSink<>("unused")).uid("a-sink");
        // One variable of parallelism 2, a round limit only and a listener (which keeps the rounds
        // held): rounds are decided by deciders.
        DataStream<Long> counted =
                new BoundedIteration()
                        .bindVariable("x", longs(env, "b-source"))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Long> next =
                                            inputs.<Long>get("x")
                                                    .map(new RoundDeciderTest.HearsRoundEnds<>())
                                                    .returns(Types.LONG)
                                                    .uid("b-ears")
                                                    .map(v -> v + 1)
                                                    .returns(Types.LONG)
                                                    .uid("b-step");
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", next)
                                            .withOutput("x", next)
                                            .until(TerminationCondition.maxRounds(3))
                                            .build();
                                })
                        .apply()
                        .get("x");
        counted.sinkTo(new RecordingSink<>("unused")).uid("b-sink");

        StreamGraph graph = env.getStreamGraph();
        List<String> uids = new ArrayList<>();
        for (StreamNode node : graph.getStreamNodes()) {
            // The user's operators all have uids here, so a node without one is the wiring's.
            assertThat(node.getTransformationUID()).as(node.getOperatorName()).isNotNull();
            uids.add(node.getTransformationUID());
        }
        assertThat(uids)
                .contains(
                        "flink-iteration/a/control/x",
                        "flink-iteration/a/control/y",
                        "flink-iteration/a/control/c",
                        "flink-iteration/a/head/x",
                        "flink-iteration/a/head/y",
                        "flink-iteration/a/replay/c",
                        "flink-iteration/a/input/d",
                        "flink-iteration/a/tail/x",
                        "flink-iteration/a/tail/y",
                        "flink-iteration/a/region-link/y",
                        "flink-iteration/a/check/0",
                        "flink-iteration/a/check/1",
                        "flink-iteration/a/output/o",
                        "flink-iteration/iteration[x]/control/x",
                        "flink-iteration/iteration[x]/head/x",
                        "flink-iteration/iteration[x]/tail/x",
                        "flink-iteration/iteration[x]/decider/x",
                        "flink-iteration/iteration[x]/output/x")
                // The body's operators keep the user's uids.
                .contains("step", "keep-small", "y", "loss", "b-ears", "b-step");
    }

    @Test
    void aDefaultNameTakenInTheJobGetsASuffixInBuildOrder() {
        StreamExecutionEnvironment env = TestCluster.env(1);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            echo(env, new BoundedIteration(), names);
        }
        new UnboundedIteration()
                .defaultName("library")
                .bindVariable("x", longs(env, "library-1"))
                .withBody(echoBody(names))
                .apply();
        new UnboundedIteration()
                .defaultName("library")
                .bindVariable("x", longs(env, "library-2"))
                .withBody(echoBody(names))
                .apply();

        assertThat(names)
                .containsExactly(
                        "iteration[x]", "iteration[x]#2", "iteration[x]#3", "library", "library#2");
    }

    @Test
    void aGivenNameWinsOverADefaultNameAndAJobRunLeavesNamesFree() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(1);
        List<String> names = new ArrayList<>();
        echo(env, new BoundedIteration().defaultName("library").name("mine"), names);
        env.getStreamGraph(); // what execute() does: the environment forgets the job built so far
        echo(env, new BoundedIteration().name("mine"), names);

        assertThat(names).containsExactly("mine", "mine");
    }

    /** Builds an iteration that passes {@code x} on for one round, noting the name it got. */
    private static void echo(
            StreamExecutionEnvironment env, BoundedIteration iteration, List<String> names) {
        iteration
                .bindVariable("x", longs(env, "source-" + names.size()))
                .withBody(echoBody(names))
                .apply()
                .get("x")
                .sinkTo(new RecordingSink<>("unused"))
                .uid("sink-" + names.size());
    }

    private static IterationBody echoBody(List<String> names) {
        return (inputs, context) -> {
            names.add(context.getName());
            DataStream<Long> x = inputs.get("x");
            return IterationDeclaration.builder()
                    .withFeedback("x", x.filter(v -> false).uid("none-" + names.size()))
                    .withOutput("x", x)
                    .build();
        };
    }

    private static DataStream<Long> longs(StreamExecutionEnvironment env, String uid) {
        return env.fromSequence(1, 10).uid(uid);
    }
}
