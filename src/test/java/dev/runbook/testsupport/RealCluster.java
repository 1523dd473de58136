package dev.runbook.testsupport;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an integration test that runs against the real Kubernetes test cluster
 * ({@link RealKubernetes}): tagged {@code kubernetes}, so {@code -Dgroups=kubernetes} runs only
 * these and {@code -DexcludedGroups=kubernetes} skips them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("kubernetes")
@ExtendWith(RealKubernetes.class)
public @interface RealCluster {
}
