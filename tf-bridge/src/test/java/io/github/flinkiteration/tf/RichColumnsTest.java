package io.github.flinkiteration.tf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.flinkiteration.tf.estimator.TFEstimator;
import io.github.flinkiteration.tf.estimator.TFModel;
import io.github.flinkiteration.tf.model.LogisticRegressionDefinition;
import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.model.ModelWeights;
import io.github.flinkiteration.tf.model.MultiLayerPerceptronDefinition;
import io.github.flinkiteration.tf.params.InvalidParameterException;
import io.github.flinkiteration.tf.params.OptimizerType;
import io.github.flinkiteration.tf.runtime.ModelSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Vector-valued feature columns ({@code float[]}, {@code double[]}, a Table's {@code ARRAY<FLOAT>})
 * in training and inference, and multi-class integer labels with the softmax cross-entropy of
 * {@link MultiLayerPerceptronDefinition#forClasses}, each checked against plain Java.
 */
class RichColumnsTest {

    @RegisterExtension static final MiniClusterExtension CLUSTER = TFCluster.extension();

    private static final List<Row> BLOBS = BlobData.rows(120, 17);

    /** The blob rows with x0, x1 as a float[] column and x2, x3 as a double[] column. */
    private static List<Row> asVectors(List<Row> rows) {
        List<Row> vectors = new ArrayList<>();
        for (Row row : rows) {
            float[] x = BlobData.features(row);
            vectors.add(
                    Row.of(
                            new float[] {x[0], x[1]},
                            new double[] {(Double) row.getField(2), (Double) row.getField(3)},
                            row.getField(4)));
        }
        return vectors;
    }

    private static TypeInformation<Row> vectorType() {
        return Types.ROW_NAMED(
                new String[] {"xy", "zw", "label"},
                Types.PRIMITIVE_ARRAY(Types.FLOAT),
                Types.PRIMITIVE_ARRAY(Types.DOUBLE),
                Types.INT);
    }

    private static TFEstimator estimator() {
        return new TFEstimator()
                .setLabelCol(BlobData.LABEL)
                .setModelDefinition(new LogisticRegressionDefinition())
                .setOptimizer(OptimizerType.GRADIENT_DESCENT)
                .setBatchSize(16)
                .setMaxRounds(3);
    }

    @Test
    void vectorColumnsTrainAsTheirValuesInScalarColumnsWouldAndScoreATable() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        TrainingRun scalars =
                TrainingRun.execute(
                        env,
                        estimator()
                                .setInputCols(BlobData.FEATURES)
                                .fit(env.fromData(BLOBS, BlobData.rowType())));
        env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        TrainingRun vectors =
                TrainingRun.execute(
                        env,
                        estimator()
                                .setInputCols("xy", "zw")
                                .setInputSizes(2, 2)
                                .fit(env.fromData(asVectors(BLOBS), vectorType())));

        assertThat(vectors.finalWeights()).isEqualTo(scalars.finalWeights());
        assertThat(vectors.lossValues()).isEqualTo(scalars.lossValues());

        // Inference from a Table whose features are one ARRAY<FLOAT> column.
        ModelWeights weights = vectors.finalWeights();
        env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamTableEnvironment tableEnv = StreamTableEnvironment.create(env);
        List<Row> rows = new ArrayList<>();
        for (Row row : BLOBS.subList(0, 20)) {
            float[] x = BlobData.features(row);
            rows.add(Row.of((Object) new Float[] {x[0], x[1], x[2], x[3]}));
        }
        Table table =
                tableEnv.fromDataStream(
                        env.fromData(
                                rows,
                                Types.ROW_NAMED(
                                        new String[] {"x"}, Types.OBJECT_ARRAY(Types.FLOAT))));
        Table scored =
                TFModel.fromWeights(new LogisticRegressionDefinition(), weights)
                        .setInputCols("x")
                        .setInputSizes(4)
                        .setOutputCols("p")
                        .setOutputTypes(Types.DOUBLE)
                        .transform(tableEnv, table);
        List<Row> out = collect(tableEnv.toDataStream(scored));
        assertThat(out).hasSize(20);
        for (Row row : out) {
            Object[] x = (Object[]) row.getField("x");
            float[] features = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                features[i] = ((Number) x[i]).floatValue();
            }
            assertThat((Double) row.getField("p"))
                    .isCloseTo(JavaPredictor.probability(weights, features), within(1e-6));
        }
    }

    @Test
    void aVectorColumnNeedsItsSizeAndAStringIsNoFeature() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<Row> rows = env.fromData(asVectors(BLOBS), vectorType());
        assertThatThrownBy(() -> estimator().setInputCols("xy", "zw").fit(rows))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContainingAll(
                        "inputCols", "column xy is a vector", "setInputSizes(...)");
        assertThatThrownBy(() -> estimator().setInputCols("xy", "zw").setInputSizes(2).fit(rows))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContainingAll("inputSizes", "1 sizes for 2 input columns");
        DataStream<Row> texts =
                env.fromData(
                        List.of(Row.of("a", 1)),
                        Types.ROW_NAMED(new String[] {"text", "label"}, Types.STRING, Types.INT));
        assertThatThrownBy(() -> estimator().setInputCols("text").fit(texts))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContainingAll(
                        "column text is String", "a SavedModel signature that takes a string");
    }

    /** Three blobs in the plane, labels 0, 1, 2. */
    private static List<Row> threeClasses(int count, long seed) {
        double[][] centres = {{2, 0}, {-1, 1.7}, {-1, -1.7}};
        Random random = new Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int label = i % 3;
            rows.add(
                    Row.of(
                            centres[label][0] + 0.5 * random.nextGaussian(),
                            centres[label][1] + 0.5 * random.nextGaussian(),
                            (long) label));
        }
        return rows;
    }

    private static final TypeInformation<Row> CLASS_TYPE =
            Types.ROW_NAMED(
                    new String[] {"a", "b", "species"}, Types.DOUBLE, Types.DOUBLE, Types.LONG);

    private static float[] classFeatures(Row row) {
        return new float[] {
            ((Double) row.getField(0)).floatValue(), ((Double) row.getField(1)).floatValue()
        };
    }

    @Test
    void aMultiClassMlpReportsSoftmaxCrossEntropyAndPredictsClassProbabilities() throws Exception {
        MultiLayerPerceptronDefinition mlp = MultiLayerPerceptronDefinition.forClasses(42, 3, 8);
        List<Row> rows = threeClasses(90, 5);
        ModelWeights initial;
        try (ModelSession session = ModelSession.openForInference(ModelSource.of(mlp), 2)) {
            initial = session.readWeights();
        }

        // One batch of all rows at p = 1: the first round's loss is the start's cross-entropy.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        TrainingRun first =
                TrainingRun.execute(
                        env,
                        new TFEstimator()
                                .setInputCols("a", "b")
                                .setLabelCol("species")
                                .setModelDefinition(mlp)
                                .setBatchSize(rows.size())
                                .setMaxRounds(1)
                                .fit(env.fromData(rows, CLASS_TYPE)));
        double expected = 0;
        for (Row row : rows) {
            double[] p = classProbabilities(initial, classFeatures(row));
            expected -= Math.log(p[((Long) row.getField(2)).intValue()]);
        }
        assertThat(first.losses.get(0).loss).isCloseTo(expected / rows.size(), within(1e-5));

        // Trained at p = 2 and scored: a float[] of probabilities that match the weights.
        env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        TFModel model =
                new TFEstimator()
                        .setInputCols("a", "b")
                        .setLabelCol("species")
                        .setModelDefinition(mlp)
                        .setBatchSize(8)
                        .setLearningRate(0.2)
                        .setMaxRounds(15)
                        .setOutputCols("probabilities")
                        .setOutputTypes(Types.PRIMITIVE_ARRAY(Types.FLOAT))
                        .fit(env.fromData(rows, CLASS_TYPE));
        List<ModelWeights> weights = new ArrayList<>();
        List<Row> scored = new ArrayList<>();
        try (CloseableIterator<ModelWeights> w = model.getWeights().collectAsync();
                CloseableIterator<Row> s =
                        model.transform(env.fromData(rows, CLASS_TYPE)).collectAsync()) {
            env.execute();
            w.forEachRemaining(weights::add);
            s.forEachRemaining(scored::add);
        }
        assertThat(weights).hasSize(1);
        int correct = 0;
        for (Row row : scored) {
            float[] probabilities = (float[]) row.getField(3);
            double[] expectedP = classProbabilities(weights.get(0), classFeatures(row));
            assertThat(probabilities).hasSize(3);
            int best = 0;
            for (int k = 0; k < 3; k++) {
                assertThat((double) probabilities[k]).isCloseTo(expectedP[k], within(1e-5));
                best = probabilities[k] > probabilities[best] ? k : best;
            }
            correct += best == ((Long) row.getField(2)).intValue() ? 1 : 0;
        }
        assertThat(scored).hasSize(rows.size());
        assertThat((double) correct / rows.size()).as("the classes are learnt").isGreaterThan(0.9);
    }

    @Test
    void aClassifierNeedsAnIntegerLabelInsideItsClasses() throws Exception {
        MultiLayerPerceptronDefinition mlp = MultiLayerPerceptronDefinition.forClasses(42, 3, 4);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        assertThatThrownBy(
                        () ->
                                new TFEstimator()
                                        .setInputCols("a", "b")
                                        .setLabelCol("label")
                                        .setModelDefinition(mlp)
                                        .fit(
                                                env.fromData(
                                                        List.of(Row.of(1.0, 2.0, 0.5)),
                                                        Types.ROW_NAMED(
                                                                new String[] {"a", "b", "label"},
                                                                Types.DOUBLE,
                                                                Types.DOUBLE,
                                                                Types.DOUBLE))))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageContainingAll(
                        "labelCol", "takes a class index from 0 to 2", "give it an integer column");

        List<Row> outside = new ArrayList<>(threeClasses(6, 1));
        outside.add(Row.of(0.0, 0.0, 3L));
        env.setParallelism(1);
        TFModel model =
                new TFEstimator()
                        .setInputCols("a", "b")
                        .setLabelCol("species")
                        .setModelDefinition(mlp)
                        .setMaxRounds(1)
                        .fit(env.fromData(outside, CLASS_TYPE));
        model.getLosses().collectAsync();
        assertThatThrownBy(env::execute)
                .rootCause()
                .hasMessageContainingAll(
                        "label column species holds 3", "a class index from 0 to 2");
    }

    /** Softmax of the MLP's logits (ReLU hidden layers), in plain Java. */
    private static double[] classProbabilities(ModelWeights weights, float[] x) {
        double[] activations = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            activations[i] = x[i];
        }
        for (int layer = 0; ; layer++) {
            float[] w = weights.valuesOf("layer" + layer + "_weights");
            float[] b = weights.valuesOf("layer" + layer + "_bias");
            double[] z = new double[b.length];
            for (int o = 0; o < b.length; o++) {
                z[o] = b[o];
                for (int i = 0; i < activations.length; i++) {
                    z[o] += activations[i] * w[i * b.length + o];
                }
            }
            if (weights.indexOf("layer" + (layer + 1) + "_weights") < 0) {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : z) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (int k = 0; k < z.length; k++) {
                    z[k] = Math.exp(z[k] - max);
                    sum += z[k];
                }
                for (int k = 0; k < z.length; k++) {
                    z[k] /= sum;
                }
                return z;
            }
            for (int i = 0; i < z.length; i++) {
                z[i] = Math.max(0, z[i]);
            }
            activations = z;
        }
    }

    private static List<Row> collect(DataStream<Row> rows) throws Exception {
        List<Row> out = new ArrayList<>();
        try (CloseableIterator<Row> it = rows.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }
}
