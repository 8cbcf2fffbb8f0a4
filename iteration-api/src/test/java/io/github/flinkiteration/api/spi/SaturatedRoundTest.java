package io.github.flinkiteration.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The API's {@code int} view of the runtime's {@code long} rounds. */
class SaturatedRoundTest {

    @Test
    void roundsThatFitAnIntPassUnchanged() {
        assertThat(SaturatedRound.of(0)).isEqualTo(0);
        assertThat(SaturatedRound.of(1_000)).isEqualTo(1_000);
        assertThat(SaturatedRound.of(Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void laterRoundsStayAtTheLargestInt() {
        assertThat(SaturatedRound.of(Integer.MAX_VALUE + 1L)).isEqualTo(Integer.MAX_VALUE);
        assertThat(SaturatedRound.of(1L << 40)).isEqualTo(Integer.MAX_VALUE);
        assertThat(SaturatedRound.of(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }
}
