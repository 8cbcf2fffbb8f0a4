package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.MultiLayerPerceptronDefinition;
import io.github.flinkiteration.tf.params.InvalidParameterException;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * {@code TFModel.transform} checks its configuration against the input and the model while the job
 * is built, and fails naming the parameter and saying what to do.
 */
class TransformValidationTest {

    private final StreamExecutionEnvironment env =
            StreamExecutionEnvironment.getExecutionEnvironment();
    private final DataStream<Row> rows = env.fromData(BlobData.rows(10, 1), BlobData.rowType());

    private static TFModel model() {
        return TFModel.fromWeights(new LogisticRegressionDefinition(), LrWeights.scaled(1))
                .setInputCols(BlobData.FEATURES)
                .setOutputCols("probability")
                .setOutputTypes(Types.DOUBLE);
    }

    private static void assertRejected(ThrowingCallable call, String parameter, String... parts) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        InvalidParameterException.class,
                        e ->
                                org.assertj.core.api.Assertions.assertThat(e.parameter())
                                        .isEqualTo(parameter))
                .hasMessageContainingAll(parts);
    }

    @Test
    void aMissingInputColumnIsNamed() {
        assertRejected(
                () -> model().setInputCols("x0", "x1", "x2", "nope").transform(rows),
                "inputCols",
                "no column nope",
                "x0");
    }

    @Test
    void inputColumnsMustBeGivenForAModelLoadedForInference() {
        assertRejected(
                () ->
                        TFModel.fromWeights(new LogisticRegressionDefinition(), LrWeights.scaled(1))
                                .setOutputCols("probability")
                                .setOutputTypes(Types.DOUBLE)
                                .transform(rows),
                "inputCols",
                "setInputCols");
    }

    @Test
    void aModelWithoutOutputColumnsIsRejected() {
        assertRejected(
                () ->
                        TFModel.fromWeights(new LogisticRegressionDefinition(), LrWeights.scaled(1))
                                .setInputCols(BlobData.FEATURES)
                                .transform(rows),
                "outputCols",
                "no output columns",
                "setOutputCols");
    }

    @Test
    void moreOutputColumnsThanPredictedValuesAreRejected() {
        assertRejected(
                () ->
                        model().setOutputCols("a", "b")
                                .setOutputTypes(Types.DOUBLE, Types.FLOAT)
                                .transform(rows),
                "outputCols",
                "predicts 1 value");
    }

    @Test
    void theVersionColumnMustBeNew() {
        assertRejected(() -> model().setVersionCol("label").transform(rows), "versionCol", "label");
    }

    @Test
    void weightsOfAnotherModelAreRejected() {
        ModelWeights mlpWeights =
                new ModelWeights(
                        new String[] {"layer0_weights"}, new long[][] {{4, 2}}, new float[1][8]);
        assertRejected(
                () ->
                        TFModel.fromWeights(new MultiLayerPerceptronDefinition(1, 2), mlpWeights)
                                .setInputCols(BlobData.FEATURES)
                                .setOutputCols("p")
                                .setOutputTypes(Types.FLOAT)
                                .transform(rows),
                "weights",
                "layer0_bias");
    }

    @Test
    void aMissingSavedModelIsRejected() {
        assertRejected(
                () ->
                        TFModel.fromSavedModel("/does/not/exist")
                                .setInputCols(BlobData.FEATURES)
                                .setOutputCols("p")
                                .setOutputTypes(Types.FLOAT)
                                .transform(rows),
                "savedModel",
                "/does/not/exist");
    }

    @Test
    void aNegativeMaxDelayIsRejectedWhenSet() {
        assertRejected(() -> model().setMaxDelay(Duration.ofMillis(-1)), "maxDelay", "zero");
    }

    @Test
    void aStreamWithoutNamedColumnsIsRejected() {
        DataStream<Row> unnamed = rows.map(r -> r); // a generic Row type, no column names
        assertThatThrownBy(() -> model().transform(unnamed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transform needs rows with named columns")
                .hasMessageContaining("RowTypeInfo");
    }
}
