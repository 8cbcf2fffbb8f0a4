package io.github.flinkiteration.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** This module's tests have no iteration-runtime on the classpath, as a user might forget it. */
class MissingRuntimeTest {

    @Test
    void applyNamesTheMissingDependency() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        BoundedIteration iteration =
                new BoundedIteration()
                        .bindVariable("x", env.fromData(1, 2))
                        .withBody((inputs, context) -> null);
        assertThatThrownBy(iteration::apply)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("io.github.flinkiteration:iteration-runtime");
    }
}
