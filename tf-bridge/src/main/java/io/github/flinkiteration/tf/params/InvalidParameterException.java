package io.github.flinkiteration.tf.params;

/** A parameter of a TF estimator is missing or invalid; the message names it and the fix. */
public final class InvalidParameterException extends IllegalArgumentException {

    private final String parameter;

    public InvalidParameterException(String parameter, String message) {
        super("parameter '" + parameter + "': " + message);
        this.parameter = parameter;
    }

    /** The parameter's name, e.g. {@code batchSize}. */
    public String parameter() {
        return parameter;
    }
}
