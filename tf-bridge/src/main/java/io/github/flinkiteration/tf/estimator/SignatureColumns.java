package io.github.flinkiteration.tf.estimator;

import static io.github.flinkiteration.tf.params.TFEstimatorParams.INPUT_COLS;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OUTPUT_COLS;
import static io.github.flinkiteration.tf.params.TFEstimatorParams.OUTPUT_TYPES;

import io.github.flinkiteration.tf.model.ModelSource;
import io.github.flinkiteration.tf.params.InvalidParameterException;
import io.github.flinkiteration.tf.params.ParamValues;
import io.github.flinkiteration.tf.runtime.FeatureColumns;
import io.github.flinkiteration.tf.runtime.OutputKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;

/**
 * Matches a SavedModel signature with named inputs and outputs (TensorFlow 2, Keras) to columns, on
 * the client while {@code transform} builds the job: each input reads the column of its name, each
 * output column is the output of its name. Every mismatch fails naming the signature, the tensor
 * and the column.
 */
final class SignatureColumns {

    private final ParamValues params;
    private final ModelSource model;
    private final Signature signature;

    SignatureColumns(ParamValues params, ModelSource model, Signature signature) {
        this.params = params;
        this.model = model;
        this.signature = signature;
    }

    /**
     * The input columns of a signature with named inputs: each of its inputs reads the column of
     * its name, as the signature takes it (float numbers or vectors, or strings).
     */
    FeatureColumns inputs(InputColumns columns) {
        Map<String, Signature.TensorDescription> inputs = signature.getInputs();
        List<String> names = new ArrayList<>(new TreeSet<>(inputs.keySet()));
        if (params.isSet(INPUT_COLS) && !Set.of(params.get(INPUT_COLS)).equals(inputs.keySet())) {
            throw new InvalidParameterException(
                    INPUT_COLS.name(),
                    "signature "
                            + signature.key()
                            + " of "
                            + model
                            + " takes the inputs "
                            + names
                            + " by name, from the columns of the same names; set exactly these"
                            + " input columns, or none");
        }
        int[] positions = new int[names.size()];
        int[] sizes = new int[names.size()];
        for (int i = 0; i < positions.length; i++) {
            String name = names.get(i);
            Signature.TensorDescription input = inputs.get(name);
            positions[i] = columns.column(name, INPUT_COLS.name());
            sizes[i] = inputSize(columns, positions[i], name, input, signature.key());
        }
        return new FeatureColumns(positions, names.toArray(new String[0]), sizes);
    }

    /** The values per row of signature input {@code name}; fails unless the column fits it. */
    private static int inputSize(
            InputColumns columns,
            int position,
            String name,
            Signature.TensorDescription input,
            String signatureKey) {
        InputColumns.Kind kind = columns.kind(position);
        int rank = input.shape.numDimensions();
        long inner = rank == 2 ? input.shape.get(1) : 1;
        String takes =
                "signature "
                        + signatureKey
                        + " takes input "
                        + name
                        + " as "
                        + input.dataType
                        + " of shape "
                        + input.shape;
        if (rank < 1 || rank > 2) {
            throw new InvalidParameterException(
                    INPUT_COLS.name(),
                    takes + "; only inputs of shape [batch] or [batch, n] are supported");
        }
        if (input.dataType == DataType.DT_STRING) {
            if (kind != InputColumns.Kind.STRING || inner != 1) {
                throw new InvalidParameterException(
                        INPUT_COLS.name(),
                        takes
                                + ", but column "
                                + name
                                + " is "
                                + columns.typeName(position)
                                + "; give it a STRING column with one string per row");
            }
            return 1;
        }
        if (input.dataType != DataType.DT_FLOAT) {
            throw new InvalidParameterException(
                    INPUT_COLS.name(),
                    takes
                            + "; supported inputs are float (from number or vector columns) and"
                            + " string (from string columns)");
        }
        if (kind == InputColumns.Kind.NUMBER && inner == 1) {
            return 1;
        }
        if (kind == InputColumns.Kind.VECTOR && inner > 0) {
            return (int) inner;
        }
        throw new InvalidParameterException(
                INPUT_COLS.name(),
                takes
                        + ", but column "
                        + name
                        + " is "
                        + columns.typeName(position)
                        + (inner == 1
                                ? "; give it a numeric column"
                                : "; give it a vector column (float[], double[], ARRAY<FLOAT>)"
                                        + " of that many values"));
    }

    /** The output columns of a signature with named outputs: by default, all its outputs. */
    String[] outputCols() {
        Set<String> available = signature.getOutputs().keySet();
        String[] outputCols =
                params.isSet(OUTPUT_COLS)
                        ? params.get(OUTPUT_COLS)
                        : new TreeSet<>(available).toArray(new String[0]);
        for (String column : outputCols) {
            Signature.TensorDescription output = signature.getOutputs().get(column);
            if (output == null) {
                throw new InvalidParameterException(
                        OUTPUT_COLS.name(),
                        "signature "
                                + signature.key()
                                + " has no output "
                                + column
                                + " (it has "
                                + new TreeSet<>(available)
                                + "); an output column takes the signature output of its name");
            }
            if (output.dataType != DataType.DT_FLOAT) {
                throw new InvalidParameterException(
                        OUTPUT_COLS.name(),
                        "signature output "
                                + column
                                + " is "
                                + output.dataType
                                + "; only float outputs can become columns");
            }
        }
        return outputCols;
    }

    /**
     * The types of a named signature's output columns: as set, or FLOAT for one value per row and
     * float[] for more; a FLOAT or DOUBLE column needs an output of one value per row.
     */
    TypeInformation<?>[] outputTypes(String[] outputCols) {
        TypeInformation<?>[] given = params.isSet(OUTPUT_TYPES) ? params.get(OUTPUT_TYPES) : null;
        TypeInformation<?>[] types = new TypeInformation<?>[outputCols.length];
        for (int o = 0; o < outputCols.length; o++) {
            Shape shape = signature.getOutputs().get(outputCols[o]).shape;
            long width = shape.numDimensions() <= 1 ? 1 : shape.get(shape.numDimensions() - 1);
            if (given == null) {
                types[o] = width == 1 ? Types.FLOAT : Types.PRIMITIVE_ARRAY(Types.FLOAT);
            } else if (o < given.length) {
                types[o] = given[o];
                if (OutputKind.of(given[o]).isScalar() && width != 1 && width != -1) {
                    throw new InvalidParameterException(
                            OUTPUT_TYPES.name(),
                            "signature output "
                                    + outputCols[o]
                                    + " has shape "
                                    + shape
                                    + ": "
                                    + width
                                    + " values per row; give its column the type"
                                    + " Types.PRIMITIVE_ARRAY(Types.FLOAT)");
                }
            }
        }
        return given != null && given.length != outputCols.length ? given : types;
    }
}
