package io.github.flinkiteration.tf.params;

import java.time.Duration;

/**
 * The parameters of inference with a {@code TFModel} that a training does not have. The columns
 * ({@link TFEstimatorParams#INPUT_COLS}, {@link TFEstimatorParams#OUTPUT_COLS}, {@link
 * TFEstimatorParams#OUTPUT_TYPES}) and {@link TFEstimatorParams#PARALLELISM} are shared with the
 * estimator.
 *
 * <pre>{@code
 * model.setBatchSize(64).setMaxDelay(Duration.ofMillis(5)).transform(events);
 * }</pre>
 */
public final class TFModelParams {

    private TFModelParams() {}

    public static final Param<Integer> BATCH_SIZE =
            Param.of(
                    "batchSize",
                    "the most rows scored in one TensorFlow call",
                    32,
                    n -> n >= 1,
                    "at least 1");

    public static final Param<Duration> MAX_DELAY =
            Param.of(
                    "maxDelay",
                    "the longest a row waits in a partly filled batch before the batch is scored"
                            + " anyway",
                    Duration.ofMillis(10),
                    delay -> !delay.isNegative() && delay.toMillis() <= Integer.MAX_VALUE,
                    "zero or a positive duration (milliseconds are the unit)");

    public static final Param<String> VERSION_COL =
            Param.of(
                    "versionCol",
                    "the column that reports the model version that scored a row",
                    "model_version",
                    name -> !name.isBlank(),
                    "a column name");
}
