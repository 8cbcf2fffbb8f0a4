package io.github.flinkiteration.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Reading BashJavaUtils' answer: prefixed result lines among log output. */
class ResourceParametersTest {

    @Test
    void theLastTwoResultLinesAreJvmOptionsAndDynamicProperties() {
        String output =
                String.join(
                        "\n",
                        "INFO  Loading configuration property: taskmanager.numberOfTaskSlots, 2",
                        "BASH_JAVA_UTILS_EXEC_RESULT:an earlier result",
                        "BASH_JAVA_UTILS_EXEC_RESULT:-Xmx100 -Xms100 -XX:MaxMetaspaceSize=200",
                        "BASH_JAVA_UTILS_EXEC_RESULT:-D taskmanager.cpu.cores=2.0 -D a.b=3b",
                        "");

        ResourceParameters parameters = ResourceParameters.parse(output);

        assertThat(parameters.jvmOptions())
                .containsExactly("-Xmx100", "-Xms100", "-XX:MaxMetaspaceSize=200");
        assertThat(parameters.dynamicProperties())
                .containsExactly("-D", "taskmanager.cpu.cores=2.0", "-D", "a.b=3b");
    }

    @Test
    void fewerThanTwoResultLinesAreAnError() {
        assertThatThrownBy(() -> ResourceParameters.parse("BASH_JAVA_UTILS_EXEC_RESULT:-Xmx1\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two result lines");
    }
}
