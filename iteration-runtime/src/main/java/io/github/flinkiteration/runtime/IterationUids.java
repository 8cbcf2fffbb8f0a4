package io.github.flinkiteration.runtime;

/**
 * The uids of one iteration's own operators: {@code flink-iteration/<iteration>/<role>/<part>},
 * where the part is the variable, constant, data input or output the operator serves, or the index
 * of a termination check. They depend on names only, never on the graph's shape, so a savepoint
 * maps back after the job changed around the iteration.
 */
final class IterationUids {

    private static final String PREFIX = "flink-iteration/";

    private final String iteration;

    IterationUids(String iteration) {
        this.iteration = iteration;
    }

    String control(String variableOrConstant) {
        return of("control", variableOrConstant);
    }

    String head(String variable) {
        return of("head", variable);
    }

    String replay(String constant) {
        return of("replay", constant);
    }

    String input(String data) {
        return of("input", data);
    }

    String tail(String variable) {
        return of("tail", variable);
    }

    String regionLink(String variable) {
        return of("region-link", variable);
    }

    String decider(String variable) {
        return of("decider", variable);
    }

    /**
     * @param index the check's position among the termination condition's stream checks
     */
    String check(int index) {
        return of("check", String.valueOf(index));
    }

    String output(String output) {
        return of("output", output);
    }

    private String of(String role, String part) {
        return PREFIX + iteration + "/" + role + "/" + part;
    }
}
