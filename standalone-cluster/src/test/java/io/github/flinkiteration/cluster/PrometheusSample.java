package io.github.flinkiteration.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One sample of Prometheus' text format, {@code name{label="value",...} 1.0}, as a scrape of a
 * TaskManager shows it.
 */
final class PrometheusSample {

    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    final String name;
    final Map<String, String> labels;
    final double value;
    final String line;

    private PrometheusSample(String name, Map<String, String> labels, double value, String line) {
        this.name = name;
        this.labels = labels;
        this.value = value;
        this.line = line;
    }

    /** The samples of a scrape's body; comments (HELP, TYPE) are skipped. */
    static List<PrometheusSample> parse(String body) {
        List<PrometheusSample> samples = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int valueStart = line.lastIndexOf(' ');
            int labelsStart = line.indexOf('{');
            String series = line.substring(0, valueStart);
            String name = labelsStart < 0 ? series : line.substring(0, labelsStart);
            Map<String, String> labels = new LinkedHashMap<>();
            if (labelsStart >= 0) {
                Matcher matcher = LABEL.matcher(series.substring(labelsStart));
                while (matcher.find()) {
                    labels.put(matcher.group(1), matcher.group(2));
                }
            }
            double value = Double.parseDouble(line.substring(valueStart + 1));
            samples.add(new PrometheusSample(name, labels, value, line));
        }
        return samples;
    }

    @Override
    public String toString() {
        return line;
    }
}
