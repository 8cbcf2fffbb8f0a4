package io.github.flinkiteration.tf.params;

/**
 * The parameter of an online training that a batch training does not have; the others (columns,
 * model, batch size, learning rate, optimizer, warm start, parallelism) are {@link
 * TFEstimatorParams}'.
 *
 * <pre>{@code
 * new TFOnlineEstimator().setBatchSize(32).setBatchesPerVersion(4)...   // 4 batches per trainer per version
 * }</pre>
 */
public final class TFOnlineEstimatorParams {

    private TFOnlineEstimatorParams() {}

    public static final Param<Integer> BATCHES_PER_VERSION =
            Param.of(
                    "batchesPerVersion",
                    "the mini-batches each trainer trains on between two model versions",
                    1,
                    n -> n >= 1,
                    "at least 1");
}
