package io.github.flinkiteration.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.api.*;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

class SmokeIT {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @Test
    void counter() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<Integer> init = env.fromData(0, 0, 0, 0);
        ResultStreams r = new BoundedIteration()
                .bindVariable("x", init)
                .withBody((in, ctx) -> {
                    DataStream<Integer> x = in.get("x");
                    DataStream<Integer> next = x.map(v -> v + 1);
                    return IterationDeclaration.builder().withFeedback("x", next)
                            .withOutput("values", next).until(TerminationCondition.maxRounds(5)).build();
                }).apply();
        List<Integer> out = new ArrayList<>();
        r.<Integer>get("values").executeAndCollect().forEachRemaining(out::add);
        System.out.println("OUT " + out);
        assertThat(out).hasSize(20);
    }
}
