package io.github.flinkiteration.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class IterationNameTest {

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "  "})
    void anEmptyNameIsRejectedWithWhatToDoInstead(String name) {
        assertThatThrownBy(() -> new BoundedIteration().name(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "An iteration's name must not be empty; leave name(...) out for the"
                                + " default.");
        assertThatThrownBy(() -> new UnboundedIteration().name(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leave name(...) out");
    }
}
