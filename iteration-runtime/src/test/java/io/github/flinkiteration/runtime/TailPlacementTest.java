package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.BoundedIteration;
import io.github.flinkiteration.api.IterationDeclaration;
import io.github.flinkiteration.api.ResultStreams;
import io.github.flinkiteration.api.TerminationCondition;
import io.github.flinkiteration.api.UnboundedIteration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A tail joins its head's chain, and so its task, only when Flink is certain to build that chain;
 * otherwise it is chained behind the operator that produces the feedback when that operator's chain
 * can be co-located with the head, and else heads its own chain, co-located with the head. Every
 * way the loop gives the same results.
 */
class TailPlacementTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TestCluster.extension();

    private static final int ROUNDS = 6;
    private static final List<Integer> INITIAL =
            IntStream.range(0, 100).boxed().collect(Collectors.toList());

    @Test
    void forwardBodyRunsHeadAndTailInOneTask() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        DataStream<Integer> seen = loop(env, x -> x.map(v -> v + 1).filter(v -> v >= 0));

        JobVertex head = vertexNamed(env.getStreamGraph(false).getJobGraph(), "Iteration head [x]");
        assertThat(head.getName()).contains("Iteration tail [x]");
        assertThat(TestCluster.collect(seen)).containsExactlyInAnyOrderElementsOf(reference());
    }

    @Test
    void tailAfterAnExchangeJoinsTheChainOfTheOperatorBehindItCoLocatedWithTheHead()
            throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        DataStream<Integer> seen =
                loop(env, x -> x.keyBy(v -> v % 7).map(v -> v + 1).name("after exchange"));

        JobGraph graph = env.getStreamGraph(false).getJobGraph();
        JobVertex head = vertexNamed(graph, "Iteration head [x]");
        JobVertex tail = vertexNamed(graph, "Iteration tail [x]");
        assertThat(tail).isNotSameAs(head);
        assertThat(tail).isSameAs(vertexNamed(graph, "after exchange"));
        assertThat(tail.getCoLocationGroup()).isNotNull();
        assertThat(tail.getCoLocationGroup()).isSameAs(head.getCoLocationGroup());
        assertThat(TestCluster.collect(seen)).containsExactlyInAnyOrderElementsOf(reference());
    }

    @Test
    void operatorThatStartsANewChainTakesTheTailIntoItsChain() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        DataStream<Integer> seen =
                loop(env, x -> x.map(v -> v + 1).name("new chain").startNewChain());

        JobGraph graph = env.getStreamGraph(false).getJobGraph();
        JobVertex head = vertexNamed(graph, "Iteration head [x]");
        JobVertex tail = vertexNamed(graph, "Iteration tail [x]");
        assertThat(head.getName()).doesNotContain("Iteration tail [x]");
        assertThat(tail).isSameAs(vertexNamed(graph, "new chain"));
        assertThat(tail.getCoLocationGroup()).isSameAs(head.getCoLocationGroup());
        assertThat(TestCluster.collect(seen)).containsExactlyInAnyOrderElementsOf(reference());
    }

    @Test
    void operatorsChainedBeforeTheProducerAreCoLocatedToo() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        DataStream<Integer> seen =
                loop(
                        env,
                        x ->
                                x.keyBy(v -> v % 7)
                                        .map(v -> v + 1)
                                        .name("chain start")
                                        .filter(v -> v >= 0)
                                        .name("producer"));

        JobGraph graph = env.getStreamGraph(false).getJobGraph();
        JobVertex tail = vertexNamed(graph, "Iteration tail [x]");
        assertThat(tail).isSameAs(vertexNamed(graph, "chain start"));
        assertThat(tail).isSameAs(vertexNamed(graph, "producer"));
        assertThat(tail.getCoLocationGroup())
                .isSameAs(vertexNamed(graph, "Iteration head [x]").getCoLocationGroup());
        assertThat(TestCluster.collect(seen)).containsExactlyInAnyOrderElementsOf(reference());
    }

    @Test
    void producerAtAnotherParallelismKeepsTheTailApart() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        DataStream<Integer> seen =
                loop(env, x -> x.map(v -> v + 1).name("narrow").setParallelism(2));

        JobGraph graph = env.getStreamGraph(false).getJobGraph();
        JobVertex head = vertexNamed(graph, "Iteration head [x]");
        JobVertex tail = vertexNamed(graph, "Iteration tail [x]");
        assertThat(tail.getName()).startsWith("Iteration tail [x]");
        assertThat(vertexNamed(graph, "narrow").getCoLocationGroup()).isNull();
        assertThat(tail.getCoLocationGroup()).isSameAs(head.getCoLocationGroup());
        assertThat(TestCluster.collect(seen)).containsExactlyInAnyOrderElementsOf(reference());
    }

    @Test
    void producerThatNeverChainsKeepsTheTailApart() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        loop(env, x -> x.keyBy(v -> v % 7).map(v -> v + 1).name("alone").disableChaining());

        JobGraph graph = env.getStreamGraph(false).getJobGraph();
        JobVertex tail = vertexNamed(graph, "Iteration tail [x]");
        assertThat(tail.getName()).startsWith("Iteration tail [x]");
        assertThat(vertexNamed(graph, "alone").getCoLocationGroup()).isNull();
        assertThat(tail.getCoLocationGroup())
                .isSameAs(vertexNamed(graph, "Iteration head [x]").getCoLocationGroup());
    }

    @Test
    void unboundedUpdaterAtTheHeadsParallelismRunsTheTailInItsTask() throws Exception {
        StreamExecutionEnvironment env = TestCluster.env(4);
        ResultStreams results =
                new UnboundedIteration()
                        .bindVariable("x", env.fromData(INITIAL).setParallelism(1))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    DataStream<Integer> next =
                                            x.rebalance()
                                                    .map(v -> v + 1)
                                                    .setParallelism(4)
                                                    .filter(v -> v % 10 != 0)
                                                    .setParallelism(4)
                                                    .map(v -> v)
                                                    .name("updater")
                                                    .setParallelism(1);
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", next)
                                            .withOutput("seen", next)
                                            .build();
                                })
                        .apply();
        DataStream<Integer> seen = results.get("seen");

        JobGraph graph = env.getStreamGraph(false).getJobGraph();
        JobVertex tail = vertexNamed(graph, "Iteration tail [x]");
        assertThat(tail).isSameAs(vertexNamed(graph, "updater"));
        assertThat(tail.getCoLocationGroup())
                .isSameAs(vertexNamed(graph, "Iteration head [x]").getCoLocationGroup());
        // Each value climbs by one until it reaches a multiple of ten, which is not fed back.
        List<Integer> expected = new ArrayList<>();
        for (int v : INITIAL) {
            for (int next = v + 1; next % 10 != 0; next++) {
                expected.add(next);
            }
        }
        assertThat(TestCluster.collect(seen)).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Every value of every round, emitted from the body; the feedback adds one. */
    private static DataStream<Integer> loop(
            StreamExecutionEnvironment env,
            Function<DataStream<Integer>, DataStream<Integer>> step) {
        ResultStreams results =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(INITIAL).rebalance().map(v -> v))
                        .withBody(
                                (inputs, context) -> {
                                    DataStream<Integer> x = inputs.get("x");
                                    return IterationDeclaration.builder()
                                            .withFeedback("x", step.apply(x))
                                            .withOutput("seen", x)
                                            .until(TerminationCondition.maxRounds(ROUNDS))
                                            .build();
                                })
                        .apply();
        return results.get("seen");
    }

    private static List<Integer> reference() {
        List<Integer> expected = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int v : INITIAL) {
                expected.add(v + round);
            }
        }
        return expected;
    }

    /** The job vertex whose chain contains the operator named {@code name}. */
    private static JobVertex vertexNamed(JobGraph graph, String name) {
        for (JobVertex vertex : graph.getVertices()) {
            if (vertex.getName().contains(name)) {
                return vertex;
            }
        }
        throw new AssertionError("No job vertex contains " + name);
    }
}
