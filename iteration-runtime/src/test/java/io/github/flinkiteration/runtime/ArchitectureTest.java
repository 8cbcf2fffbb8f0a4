package io.github.flinkiteration.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package structure of the runtime, checked on the production classes. The layers are listed in
 * docs/architecture.md ("Package map"). A layer may use the layers below it and the public API; the
 * API uses no runtime package; and the runtime's packages form no cycle.
 */
@AnalyzeClasses(
        packages = {
            "io.github.flinkiteration.api",
            "io.github.flinkiteration.memory",
            "io.github.flinkiteration.runtime"
        },
        importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String API = "API";
    private static final String BUILD = "Build";
    private static final String TRANSLATION = "Translation";
    private static final String OPERATORS = "Operators";
    private static final String PER_ROUND = "Per-round lifecycle";
    private static final String COORDINATOR = "Coordinator";
    private static final String PROTOCOL = "Protocol";
    private static final String SUPPORT = "Support";
    private static final String RECORDS = "Records";

    private static final String RUNTIME = "io.github.flinkiteration.runtime";

    /** Every runtime package, in layer order. A new package must be added here and to a layer. */
    private static final String[] RUNTIME_PACKAGES = {
        RUNTIME,
        "io.github.flinkiteration.memory",
        RUNTIME + ".draft",
        RUNTIME + ".feedback",
        RUNTIME + ".relay",
        RUNTIME + ".delta",
        RUNTIME + ".replay",
        RUNTIME + ".termination",
        RUNTIME + ".wrapper",
        RUNTIME + ".perround",
        RUNTIME + ".coordinator",
        RUNTIME + ".protocol",
        RUNTIME + ".checkpoint",
        RUNTIME + ".internal",
        RUNTIME + ".record"
    };

    @ArchTest
    static final ArchRule layersOnlyUseLayersBelow =
            layeredArchitecture()
                    .consideringOnlyDependenciesInLayers()
                    .layer(BUILD)
                    .definedBy(RUNTIME, "io.github.flinkiteration.memory")
                    .layer(TRANSLATION)
                    .definedBy(RUNTIME + ".draft")
                    .layer(OPERATORS)
                    .definedBy(
                            RUNTIME + ".delta",
                            RUNTIME + ".feedback",
                            RUNTIME + ".relay",
                            RUNTIME + ".replay",
                            RUNTIME + ".termination",
                            RUNTIME + ".wrapper")
                    .layer(PER_ROUND)
                    .definedBy(RUNTIME + ".perround")
                    .layer(COORDINATOR)
                    .definedBy(RUNTIME + ".coordinator")
                    .layer(PROTOCOL)
                    .definedBy(RUNTIME + ".protocol")
                    .layer(SUPPORT)
                    .definedBy(RUNTIME + ".checkpoint", RUNTIME + ".internal")
                    .layer(RECORDS)
                    .definedBy(RUNTIME + ".record")
                    .layer(API)
                    .definedBy("io.github.flinkiteration.api..")
                    .whereLayer(BUILD)
                    .mayOnlyAccessLayers(
                            TRANSLATION,
                            OPERATORS,
                            PER_ROUND,
                            COORDINATOR,
                            PROTOCOL,
                            SUPPORT,
                            RECORDS,
                            API)
                    .whereLayer(TRANSLATION)
                    .mayOnlyAccessLayers(
                            OPERATORS, PER_ROUND, COORDINATOR, PROTOCOL, SUPPORT, RECORDS, API)
                    .whereLayer(OPERATORS)
                    .mayOnlyAccessLayers(PER_ROUND, COORDINATOR, PROTOCOL, SUPPORT, RECORDS, API)
                    .whereLayer(PER_ROUND)
                    .mayOnlyAccessLayers(COORDINATOR, PROTOCOL, SUPPORT, RECORDS, API)
                    .whereLayer(COORDINATOR)
                    .mayOnlyAccessLayers(PROTOCOL, SUPPORT, RECORDS, API)
                    .whereLayer(PROTOCOL)
                    .mayOnlyAccessLayers(SUPPORT, RECORDS, API)
                    .whereLayer(SUPPORT)
                    .mayOnlyAccessLayers(RECORDS, API)
                    .whereLayer(RECORDS)
                    .mayOnlyAccessLayers(API)
                    .whereLayer(API)
                    .mayNotAccessAnyLayer();

    @ArchTest
    static final ArchRule runtimePackagesAreFreeOfCycles =
            slices().matching("io.github.flinkiteration.runtime.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule apiUsesNoRuntimeClass =
            noClasses()
                    .that()
                    .resideInAPackage("io.github.flinkiteration.api..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(
                            "io.github.flinkiteration.runtime..",
                            "io.github.flinkiteration.memory..");

    @ArchTest
    static final ArchRule everyRuntimePackageHasALayer =
            classes()
                    .that()
                    .resideInAnyPackage(
                            "io.github.flinkiteration.runtime..",
                            "io.github.flinkiteration.memory..")
                    .should()
                    .resideInAnyPackage(RUNTIME_PACKAGES)
                    .because("a new package must be placed in a layer of this test");
}
