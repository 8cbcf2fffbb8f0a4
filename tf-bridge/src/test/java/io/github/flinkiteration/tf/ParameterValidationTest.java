package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.flinkiteration.tf.estimator.TFEstimator;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.MultiLayerPerceptronDefinition;
import io.github.flinkiteration.tf.model.SavedModelDefinition;
import io.github.flinkiteration.tf.params.InvalidParameterException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invalid parameters fail when they are set or when {@code fit} is called, before any job runs,
 * with an {@link InvalidParameterException} that names the parameter and says what to do.
 */
class ParameterValidationTest {

    @TempDir Path temp;

    private final StreamExecutionEnvironment env =
            StreamExecutionEnvironment.getExecutionEnvironment();
    private final DataStream<Row> rows = env.fromData(BlobData.rows(20, 1), BlobData.rowType());

    private static TFEstimator valid() {
        return new TFEstimator()
                .setInputCols(BlobData.FEATURES)
                .setLabelCol(BlobData.LABEL)
                .setModelDefinition(new LogisticRegressionDefinition());
    }

    private static void assertInvalid(Executable call, String parameter, String... hints) {
        assertThatThrownBy(call::execute)
                .isInstanceOfSatisfying(
                        InvalidParameterException.class,
                        e -> assertThat(e.parameter()).isEqualTo(parameter))
                .hasMessageContainingAll(hints);
    }

    @Test
    void aValidEstimatorBuildsTheJob() {
        assertThat(valid().fit(rows).getDescription().numFeatures()).isEqualTo(4);
    }

    @Test
    void numbersOutOfRangeFailWhenSet() {
        assertInvalid(() -> valid().setBatchSize(0), "batchSize", "got 0", "at least 1");
        assertInvalid(() -> valid().setLearningRate(-0.1), "learningRate", "positive");
        assertInvalid(() -> valid().setLearningRate(Double.NaN), "learningRate", "positive");
        assertInvalid(() -> valid().setMaxRounds(0), "maxRounds", "at least 1");
        assertInvalid(() -> valid().setTolerance(0), "tolerance", "positive");
        assertInvalid(() -> valid().setExportEveryRounds(-1), "exportEveryRounds", "0 or more");
        assertInvalid(() -> valid().setParallelism(0), "parallelism", "at least 1");
        assertInvalid(() -> valid().setRemainderPolicy(null), "remainderPolicy", "null");
    }

    @Test
    void columnsMustBeGivenExistAndBeNumeric() {
        assertInvalid(
                () -> new TFEstimator().setLabelCol("label").fit(rows),
                "inputCols",
                "setInputCols");
        assertInvalid(
                () -> valid().setInputCols("x0", "x0"), "inputCols", "without blanks or repeats");
        assertInvalid(
                () -> valid().setInputCols("x0", "nope").fit(rows),
                "inputCols",
                "no column nope",
                "x0, x1, x2, x3, label");
        assertInvalid(
                () -> valid().setLabelCol("missing").fit(rows), "labelCol", "no column missing");
        assertInvalid(
                () -> valid().setInputCols("x0", "label").fit(rows),
                "labelCol",
                "also an input column");
        DataStream<Row> withText =
                env.fromData(
                        List.of(Row.of(1.0, "a")),
                        Types.ROW_NAMED(new String[] {"x", "label"}, Types.DOUBLE, Types.STRING));
        assertInvalid(
                () -> valid().setInputCols("x").fit(withText),
                "labelCol",
                "column label is String",
                "numeric");
    }

    @Test
    void rowsWithoutNamedColumnsAreRejected() {
        DataStream<Row> unnamed =
                env.fromData(List.of(Row.of(1.0, 0)), new GenericTypeInfo<>(Row.class));
        assertThatThrownBy(() -> valid().fit(unnamed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RowTypeInfo");
    }

    @Test
    void outputTypesMustMatchOutputColumns() {
        assertInvalid(
                () -> valid().setOutputCols("p").fit(rows),
                "outputTypes",
                "1 output columns but 0 output types");
        assertInvalid(() -> valid().setOutputTypes(Types.STRING), "outputTypes", "Types.FLOAT");
        assertInvalid(
                () -> valid().setOutputCols("x0").setOutputTypes(Types.DOUBLE).fit(rows),
                "outputCols",
                "has a column x0");
    }

    @Test
    void exactlyOneModelAndOneConvergenceRule() {
        assertInvalid(
                () -> new TFEstimator().setInputCols("x0").setLabelCol("label").fit(rows),
                "modelDefinition",
                "setModelDefinition");
        assertInvalid(
                () -> valid().setSavedModel(new SavedModelDefinition("/x")).fit(rows),
                "modelDefinition",
                "only one");
        assertInvalid(
                () -> valid().setTolerance(1e-3).setConvergenceCriterion(c -> true).fit(rows),
                "tolerance",
                "setConvergenceCriterion");
    }

    @Test
    void aModelThatCannotBeBuiltFailsAtFit() {
        assertInvalid(
                () -> valid().setModelDefinition(builder -> null).fit(rows),
                "modelDefinition",
                "returned no ModelGraph");
        assertInvalid(
                () ->
                        valid().setModelDefinition(null)
                                .setSavedModel(new SavedModelDefinition(temp.toString()))
                                .fit(rows),
                "modelDefinition",
                "null");
        assertInvalid(
                () ->
                        new TFEstimator()
                                .setInputCols(BlobData.FEATURES)
                                .setLabelCol(BlobData.LABEL)
                                .setSavedModel(new SavedModelDefinition(temp.toString()))
                                .fit(rows),
                "savedModel",
                "saved_model.pb is missing");
    }

    @Test
    void warmStartAndExportPathsAreChecked() throws Exception {
        assertInvalid(
                () -> valid().setWarmStartPath(temp.resolve("none").toString()).fit(rows),
                "warmStartPath",
                "does not exist");
        Path garbage = Files.writeString(temp.resolve("garbage"), "not weights");
        assertInvalid(
                () -> valid().setWarmStartPath(garbage.toString()).fit(rows),
                "warmStartPath",
                "not a weights file");
        Path otherModel = temp.resolve("mlp.weights");
        new ModelWeights(
                        new String[] {"layer0_weights"},
                        new long[][] {{4, 2}},
                        new float[][] {new float[8]})
                .writeTo(otherModel);
        assertInvalid(
                () -> valid().setWarmStartPath(otherModel.toString()).fit(rows),
                "warmStartPath",
                "different model");
        assertInvalid(
                () -> valid().setExportEveryRounds(2).fit(rows),
                "exportEveryRounds",
                "setExportPath");
        assertInvalid(
                () -> valid().setExportPath(garbage.toString()).fit(rows),
                "exportPath",
                "is a file");
    }

    @Test
    void modelBuildersRejectBadShapes() {
        assertThatThrownBy(() -> new MultiLayerPerceptronDefinition(1))
                .hasMessageContaining("at least one hidden layer");
        assertThatThrownBy(() -> new MultiLayerPerceptronDefinition(1, 4, 0))
                .hasMessageContaining(">= 1");
    }
}
