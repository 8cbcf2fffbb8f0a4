/**
 * The record inside the loop: the bottom layer of the runtime. An {@link IterationRecord} is a
 * value tagged with its round; {@link IterationRecordTypeInfo}, {@link IterationRecordSerializer}
 * and {@link IterationRecordSerializerSnapshot} give it Flink type information and a serializer
 * that writes the round as a {@link VarLong} before the value. Round progress is not in the record:
 * it travels as watermarks. See docs/architecture.md, section 2 "Records and round watermarks".
 */
package io.github.flinkiteration.runtime.record;
