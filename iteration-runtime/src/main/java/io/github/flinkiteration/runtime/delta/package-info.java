/**
 * Delta iterations: the solution set, one value per key in Flink's keyed state backend, and the
 * operator that joins a workset with it. The body builds it through {@code
 * IterationContext#solutionSet}; it is then translated and wrapped like any operator of the body.
 */
package io.github.flinkiteration.runtime.delta;
