package io.github.flinkiteration.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.flinkiteration.examples.Centroids;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the result files that the examples write with {@code --output}. */
final class ExampleReports {

    private static final Pattern CENTROID_LINE = Pattern.compile("(\\d+): \\[(.*)]");
    private static final Pattern VERSION_LINE = Pattern.compile("version (\\d+): \\[(.*)]");

    private ExampleReports() {}

    /** The centroids of a k-means report: lines {@code i: [x, y, …]}, in order. */
    static Centroids centroids(List<String> report) {
        List<double[]> values = new ArrayList<>();
        for (String line : report) {
            Matcher matcher = CENTROID_LINE.matcher(line);
            if (matcher.matches()) {
                assertThat(Integer.parseInt(matcher.group(1))).isEqualTo(values.size());
                values.add(numbers(matcher.group(2)));
            }
        }
        return new Centroids(values.toArray(new double[0][]));
    }

    /**
     * The model versions of an online logistic regression report, lines {@code version v: [w0, w1,
     * …]}, by version in the order written.
     */
    static Map<Long, double[]> modelVersions(List<String> report) {
        Map<Long, double[]> versions = new LinkedHashMap<>();
        for (String line : report) {
            Matcher matcher = VERSION_LINE.matcher(line);
            assertThat(matcher.matches()).as("report line '%s'", line).isTrue();
            versions.put(Long.parseLong(matcher.group(1)), numbers(matcher.group(2)));
        }
        return versions;
    }

    private static double[] numbers(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(", ")).mapToDouble(Double::parseDouble).toArray();
    }
}
