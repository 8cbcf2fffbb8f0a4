package io.github.flinkiteration.examples;

/** Reads the {@code --name value} arguments of the examples' {@code main} methods. */
final class Arguments {

    private Arguments() {}

    /** The integer after {@code name}, or {@code fallback} when {@code name} is absent. */
    static int intValue(String[] args, String name, int fallback) {
        String value = stringValue(args, name);
        return value == null ? fallback : Integer.parseInt(value);
    }

    /** The argument after {@code name}, or {@code null} when {@code name} is absent. */
    static String stringValue(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return null;
    }
}
