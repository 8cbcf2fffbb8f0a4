package io.github.flinkiteration.tf.params;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The values set for a set of {@link Param}s; unset ones read as their defaults. */
public final class ParamValues {

    private final Map<Param<?>, Object> values = new LinkedHashMap<>();

    /** Sets {@code param} to {@code value} after checking it. */
    public <T> void set(Param<T> param, T value) {
        values.put(param, param.check(value));
    }

    /** The value set, else the default (possibly {@code null}). */
    public <T> T get(Param<T> param) {
        @SuppressWarnings("unchecked") // set() only stores a T under a Param<T>
        T value = (T) values.get(param);
        return value != null ? value : param.defaultValue();
    }

    /** The value set or the default; throws naming {@code setter} when there is neither. */
    public <T> T getRequired(Param<T> param, String setter) {
        T value = get(param);
        if (value == null) {
            throw new InvalidParameterException(
                    param.name(), "is not set; call " + setter + " (" + param.description() + ")");
        }
        return value;
    }

    public boolean isSet(Param<?> param) {
        return values.containsKey(param);
    }

    static String render(Object value) {
        if (value instanceof Object[]) {
            return Arrays.toString((Object[]) value);
        }
        return String.valueOf(value);
    }
}
