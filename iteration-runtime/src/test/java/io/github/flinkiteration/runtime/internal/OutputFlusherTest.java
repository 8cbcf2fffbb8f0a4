package io.github.flinkiteration.runtime.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an operator does when Flink's internals hide its network outputs, so that it cannot flush
 * them when a round ends: carry on under a buffer timeout, fail at start without one. Reflection
 * itself cannot be broken here without breaking it for every test of the JVM.
 */
class OutputFlusherTest {

    @Test
    void withABufferTimeoutRoundsStillProgressAndTheOperatorOpens() {
        assertThatCode(() -> OutputFlusher.requireTimedFlushes("Map", List.of(100L, 0L)))
                .doesNotThrowAnyException();
        assertThatCode(() -> OutputFlusher.requireTimedFlushes("Map", List.of()))
                .as("no network output, nothing to flush")
                .doesNotThrowAnyException();
    }

    @Test
    void withoutABufferTimeoutTheOperatorFailsNamingItselfAndTheFix() {
        assertThatThrownBy(() -> OutputFlusher.requireTimedFlushes("Map", List.of(100L, -1L)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("operator 'Map' cannot flush its network outputs")
                .hasMessageContaining("buffer timeout is disabled (-1)")
                .hasMessageContaining("env.setBufferTimeout(100)");
    }
}
