package dev.runbook;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The layering the design relies on, checked on the compiled main classes: the CLI sits on
 * top, executors know only the SPI (and storage), and the engine knows no executor by name.
 */
class ArchitectureTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("dev.runbook");
        // a rule over an empty import would pass vacuously
        assertFalse(main.that(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage("dev.runbook.engine")).isEmpty(),
                "no engine classes were imported");
        assertFalse(main.that(com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage("dev.runbook.executors..")).isEmpty(),
                "no executor classes were imported");
    }

    @Test
    void nothingButTheCliDependsOnTheCli() {
        ArchRule rule = noClasses().that().resideInAnyPackage(
                        "dev.runbook.model..", "dev.runbook.parse..", "dev.runbook.expr..", "dev.runbook.graph..",
                        "dev.runbook.plan..", "dev.runbook.engine..", "dev.runbook.spi..", "dev.runbook.registry..",
                        "dev.runbook.storage..", "dev.runbook.executors..")
                .should().dependOnClassesThat().resideInAPackage("dev.runbook.cli..");
        rule.check(main);
    }

    @Test
    void theSpiStandsAlone() {
        noClasses().that().resideInAPackage("dev.runbook.spi..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.runbook.engine..", "dev.runbook.parse..", "dev.runbook.plan..", "dev.runbook.cli..")
                .check(main);
    }

    @Test
    void executorsKnowOnlyTheSpi() {
        noClasses().that().resideInAPackage("dev.runbook.executors..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.runbook.engine..", "dev.runbook.plan..", "dev.runbook.parse..", "dev.runbook.cli..")
                .check(main);
    }

    @Test
    void theEngineKnowsNoExecutorByName() {
        noClasses().that().resideInAPackage("dev.runbook.engine..")
                .should().dependOnClassesThat().resideInAPackage("dev.runbook.executors..")
                .check(main);
    }

    /**
     * Text that depends on the machine's locale: under tr_TR {@code "FAILED".toLowerCase()} is
     * "faıled" and enum lookups crash; some locales format numbers with other digits or separators.
     * Case conversions and formatting name their locale ({@code Locale.ROOT}).
     */
    @Test
    void caseConversionsAndFormattingNameTheirLocale() {
        noClasses().should().callMethod(String.class, "toUpperCase")
                .orShould().callMethod(String.class, "toLowerCase")
                .orShould().callMethod(String.class, "format", String.class, Object[].class)
                .orShould().callMethod(String.class, "formatted", Object[].class)
                .orShould().callMethod(java.io.PrintStream.class, "printf", String.class, Object[].class)
                .orShould().callMethod(java.io.PrintStream.class, "format", String.class, Object[].class)
                .orShould().callMethod(java.io.PrintWriter.class, "printf", String.class, Object[].class)
                .orShould().callMethod(java.io.PrintWriter.class, "format", String.class, Object[].class)
                .orShould().callMethod(java.time.format.DateTimeFormatter.class, "ofPattern", String.class)
                .because("the default locale changes the result (tr_TR: 'I'.toLowerCase() is 'ı'); pass Locale.ROOT")
                .check(main);
    }

    @Test
    void topLevelPackagesHaveNoCycles() {
        slices().matching("dev.runbook.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void executorPackagesDoNotDependOnEachOther() {
        // the target-neutral `service` executor is the one layer built on others (compose, kubectl)
        slices().matching("dev.runbook.executors.(*)..").should().notDependOnEachOther()
                .ignoreDependency(com.tngtech.archunit.base.DescribedPredicate.describe("the service executor",
                        (com.tngtech.archunit.core.domain.JavaClass c) -> c.getPackageName().startsWith("dev.runbook.executors.service")),
                        com.tngtech.archunit.base.DescribedPredicate.alwaysTrue())
                .check(main);
    }
}
