/**
 * The service interface between the API and the runtime. {@link IterationSpec} holds everything a
 * user bound to an iteration; {@link IterationRuntime} turns a spec into a job graph; {@link
 * IterationRuntimeLoader} finds the one implementation on the classpath through {@link
 * java.util.ServiceLoader} (iteration-runtime provides it). Users never call this package. See
 * docs/architecture.md, section 1 "From body to job graph".
 */
package io.github.flinkiteration.api.spi;
